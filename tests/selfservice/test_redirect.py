"""Redirection catalogue: each destination is found, ordinary IT stays with the desk."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.selfservice.errors import SelfServiceDataError
from bot.selfservice.redirect import DEFAULT_FILE, Catalogue, Redirect, load_catalogue
from nlp.labels import Language

CATALOGUE = load_catalogue()

PHRASINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "paie-rh": (
        ("fr", "Bonjour, je n'ai pas reçu ma paie jeudi, le dépôt direct n'est pas arrivé"),
        ("fr", "Il y a une erreur sur ma paie : mes heures supplémentaires manquent"),
        ("fr", "Où trouver mon relevé 1 et mon feuillet T4?"),
        ("en", "My pay stub shows the wrong vacation balance"),
        ("en", "I have not been paid for my overtime"),
    ),
    "immeubles": (
        ("fr", "Il fait trop froid dans les bureaux du 3e étage"),
        ("fr", "Il y a une fuite d'eau au plafond de la salle 204"),
        ("fr", "Ma carte d'accès à l'édifice ne fonctionne plus à l'entrée"),
        ("en", "The air conditioning is broken on the 5th floor, it's too hot"),
        ("en", "Can I get an ergonomic chair for my workstation?"),
    ),
    "telephonie-mobile": (
        ("fr", "Je pars aux États-Unis, faut-il activer l'itinérance sur mon cellulaire?"),
        ("fr", "Mon cellulaire demande un code PUK"),
        ("fr", "Ma facture cellulaire est beaucoup trop élevée ce mois-ci"),
        ("en", "I need a bigger data plan on my work cell"),
        ("en", "My SIM card is not recognised anymore"),
    ),
    "documents-acces-information": (
        (
            "fr",
            "Un journaliste a envoyé une demande d'accès à l'information, à qui la transmettre?",
        ),
        ("fr", "Quel est le délai de conservation des dossiers de subvention?"),
        ("fr", "Nous avons 20 boîtes d'archives à envoyer, qui contacter?"),
        ("en", "Where do I send an access to information request?"),
        ("en", "What is the retention schedule for contracts?"),
    ),
    "services-citoyens": (
        ("fr", "Bonjour, j'essaie de renouveler mon permis et je ne sais pas à qui écrire"),
        ("fr", "Je voudrais savoir où en est ma demande de prestation"),
        ("fr", "Comment obtenir un certificat de naissance pour mon fils?"),
        ("en", "I am writing as a member of the public about my permit application"),
        ("en", "How do I replace my health insurance card?"),
    ),
    "soutien-sigma": (
        ("fr", "Comment saisir une facture de fournisseur dans SIGMA?"),
        ("fr", "Y a-t-il une formation SIGMA pour les nouveaux agents financiers?"),
        ("fr", "Je cherche le guide SIGMA pour la fin d'exercice"),
        ("en", "How do I approve a purchase requisition in SIGMA?"),
        ("en", "Is there SIGMA training for new finance staff?"),
    ),
}

CASES = [(rid, lang, text) for rid, texts in PHRASINGS.items() for lang, text in texts]

ORDINARY_IT = (
    "Le système de paie est en panne, erreur 500",
    "Je n'ai plus accès au portail de paie, mot de passe refusé",
    "SIGMA plante quand j'approuve une facture",
    "Mon ordinateur surchauffe, il est trop chaud",
    "Il fait trop chaud dans la salle des serveurs, alarme de température",
    "Configurer Microsoft Authenticator sur mon nouveau cellulaire",
    "Le formulaire en ligne des permis affiche une erreur pour les citoyens",
    "I need access to the SIGMA reporting module",
    "Comment archiver mes vieux courriels dans Outlook?",
    "Fuite de données : un fichier de renseignements personnels a été envoyé au mauvais destinataire",
    "Activer mon message d'absence pendant mon congé parental",
    "My work phone was stolen, please block it",
)


def test_every_destination_has_phrasings() -> None:
    assert {r.id for r in CATALOGUE.redirects} == set(PHRASINGS)


@pytest.mark.parametrize(("redirect_id", "lang", "text"), CASES)
def test_destination_found(redirect_id: str, lang: str, text: str) -> None:
    match = CATALOGUE.match(text, lang)
    assert match is not None, text
    assert match.redirect.id == redirect_id, (text, match.evidence)
    assert 0.5 <= match.score <= 1
    assert match.evidence
    assert match.language == lang
    assert match.name == match.redirect.name(lang)
    assert match.handles and match.hours


@pytest.mark.parametrize("text", ORDINARY_IT)
def test_ordinary_it_stays_with_the_desk(text: str) -> None:
    match = CATALOGUE.match(text, "fr")
    assert match is None, (text, match and match.redirect.id, match and match.evidence)


def test_every_destination_is_reachable_and_example() -> None:
    for redirect in CATALOGUE.redirects:
        assert redirect.email or redirect.phone or redirect.url
        assert redirect.name_fr and redirect.name_en and redirect.handles_fr and redirect.handles_en
        for address in (redirect.email, redirect.url):
            assert not address or ".example" in address
    assert CATALOGUE.by_id("paie-rh") is not None
    assert CATALOGUE.by_id("nope") is None


def test_localised_fields() -> None:
    redirect = CATALOGUE.by_id("immeubles")
    assert redirect is not None
    assert redirect.name(Language.EN) == redirect.name_en
    assert redirect.name("fr") == redirect.name_fr
    assert redirect.hours("en") == redirect.hours_en


GOOD = """
[[redirect]]
id = "x"
name_fr = "X"
name_en = "X"
handles_fr = "x"
handles_en = "x"
keywords_fr = ["talon de paie"]
keywords_en = ["pay stub"]
email = "x@x.example"
"""


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[redirect]\n", "not valid TOML"),
        ("", "redirect"),
        (GOOD.replace('email = "x@x.example"', ""), "at least one of email, phone or url"),
        (GOOD.replace('id = "x"', 'id = "X Y"'), "id"),
        (GOOD.replace("keywords_en", "keywords_de"), "keywords_en: Field required"),
        (GOOD + GOOD, "unique: x"),
        (GOOD.replace('"pay stub"', '"the"'), "no content word"),
        ('[catalogue]\nnot = ["of"]\n' + GOOD, "no content word"),
    ],
)
def test_load_errors_name_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "redirects.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SelfServiceDataError) as caught:
        load_catalogue(path)
    assert caught.value.path == path
    assert problem in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SelfServiceDataError, match="cannot read"):
        load_catalogue(tmp_path / "nope.toml")


def test_catalogue_in_memory_and_threshold(tmp_path: Path) -> None:
    path = tmp_path / "redirects.toml"
    path.write_text(GOOD, encoding="utf-8")
    loaded = load_catalogue(path)
    redirect = loaded.redirects[0]
    assert isinstance(redirect, Redirect)
    assert Catalogue([redirect]).match("mon talon de paie", "fr") is not None
    assert Catalogue([redirect], threshold=0.9).match("mon talon de paie", "fr") is None
    assert Catalogue([redirect], ["talon"]).match("mon talon de paie", "fr") is None
    assert DEFAULT_FILE.exists()
