"""Knowledge base: each article is found from realistic messages, in French and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.selfservice.errors import SelfServiceDataError
from bot.selfservice.kb import DEFAULT_DIR, KnowledgeBase, load_kb
from bot.selfservice.phrases import STRONG
from nlp.labels import Language, Team
from nlp.text import stems

KB = load_kb()

SLUGS = (
    "account-unlock",
    "intranet-certificate-warning",
    "mfa-new-phone",
    "network-drive-missing",
    "outlook-calendar-sharing",
    "outlook-out-of-office",
    "password-reset",
    "printer-queue",
    "teams-audio-video",
    "vpn-home",
)

PHRASINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "password-reset": {
        "fr": (
            "Bonjour, j'ai oublié mon mot de passe et je ne peux plus ouvrir ma session.",
            "Mon mot de passe est expiré ce matin, comment je fais pour le changer?",
            "Je dois réinitialiser mon mot de passe SVP",
        ),
        "en": (
            "Hi, I forgot my password and can't log into Windows.",
            "My password expired over the weekend, how do I reset it?",
            "Password not working since this morning",
        ),
    },
    "account-unlock": {
        "fr": (
            "Mon compte est verrouillé, j'ai fait trop de tentatives.",
            "Allo, mon compte est barré depuis 8h, pouvez-vous le débloquer?",
            "Pouvez-vous déverrouiller mon compte? Merci",
        ),
        "en": (
            "I'm locked out of my account after too many attempts",
            "My account is locked, can you unlock it please?",
            "Account locked again this morning",
        ),
    },
    "vpn-home": {
        "fr": (
            "Je n'arrive pas à me connecter au VPN de la maison",
            "Le VPN coupe toutes les 10 minutes en télétravail",
            "FortiClient me donne une erreur quand je me connecte",
        ),
        "en": (
            "I can't connect to the VPN from home",
            "The VPN keeps disconnecting every few minutes",
            "VPN not working today while working from home",
        ),
    },
    "outlook-out-of-office": {
        "fr": (
            "Comment activer mon message d'absence dans Outlook? Je pars en vacances vendredi",
            "Je veux mettre une réponse automatique pendant mon congé",
            "Comment configurer le répondeur automatique d'Outlook?",
        ),
        "en": (
            "How do I set up my out of office in Outlook?",
            "Need to turn on automatic replies before my vacation",
            "How to add an away message while I'm on leave",
        ),
    },
    "outlook-calendar-sharing": {
        "fr": (
            "Comment partager mon calendrier avec mon adjointe?",
            "J'aimerais voir le calendrier de mon gestionnaire dans Outlook",
            "Mon collègue n'a pas accès à mon calendrier partagé",
        ),
        "en": (
            "How can I share my calendar with my assistant?",
            "I'd like to view my manager's calendar in Outlook",
            "Need calendar delegate access for my coordinator",
        ),
    },
    "printer-queue": {
        "fr": (
            "Mon imprimante est hors ligne depuis ce matin",
            "Mes impressions restent bloquées dans la file d'attente",
            "L'imprimante n'imprime pas, le document reste en attente",
        ),
        "en": (
            "My printer shows offline",
            "Print jobs stuck in the queue since this morning",
            "I can't print anything, the printer is not responding",
        ),
    },
    "mfa-new-phone": {
        "fr": (
            "J'ai un nouveau téléphone, comment je transfère Microsoft Authenticator?",
            "J'ai changé de cellulaire et je ne reçois plus le code de connexion",
            "Problème d'authentification multifacteur depuis que j'ai changé de téléphone",
        ),
        "en": (
            "I got a new phone, how do I move my MFA to it?",
            "Authenticator app on my new phone doesn't show the code",
            "Switched phones and now I can't approve the MFA prompt",
        ),
    },
    "teams-audio-video": {
        "fr": (
            "Personne ne m'entend dans mes réunions Teams",
            "Ma caméra ne fonctionne pas dans Teams",
            "Mon micro ne fonctionne pas avec mon casque",
        ),
        "en": (
            "People can't hear me in Teams meetings",
            "My camera is not working in Teams",
            "Teams microphone stopped working with my headset",
        ),
    },
    "network-drive-missing": {
        "fr": (
            "Mon lecteur H a disparu de l'explorateur",
            "Je ne vois plus mon lecteur réseau P: depuis la mise à jour",
            "Le lecteur partagé de mon équipe n'apparaît plus sur mon poste",
        ),
        "en": (
            "My H drive is missing from File Explorer",
            "The mapped network drive disappeared after the reboot",
            "Lost my shared drive letter, it no longer shows up",
        ),
    },
    "intranet-certificate-warning": {
        "fr": (
            "J'ai un avertissement de certificat quand j'ouvre l'intranet",
            "L'intranet s'affiche mal, faut-il vider la cache?",
            "Edge dit que la connexion n'est pas privée sur l'intranet",
        ),
        "en": (
            "I get a certificate warning when opening the intranet",
            "The intranet page is blank, should I clear the cache?",
            "Chrome says your connection is not private on the intranet site",
        ),
    },
}

CASES = [
    (slug, lang, text)
    for slug, by_lang in PHRASINGS.items()
    for lang, texts in by_lang.items()
    for text in texts
]


def test_every_article_exists_in_both_languages() -> None:
    assert KB.slugs == SLUGS
    for slug in SLUGS:
        for lang in (Language.FR, Language.EN):
            article = KB.article(slug, lang)
            assert article is not None and article.language is lang
            assert article.title and article.body


@pytest.mark.parametrize(("slug", "lang", "text"), CASES)
def test_article_found(slug: str, lang: str, text: str) -> None:
    match = KB.match(text, lang)
    assert match is not None, text
    assert match.article.slug == slug
    assert match.article.language == lang
    assert 0.5 <= match.score <= 1
    assert match.evidence


def test_answer_follows_asked_language_not_message_language() -> None:
    match = KB.match("J'ai oublié mon mot de passe", Language.EN)
    assert match is not None and match.article.language is Language.EN
    assert match.article.title.startswith("Reset your password")


def test_strong_phrases_say_something_specific() -> None:
    """A phrase left with only generic words would match almost any complaint."""
    generic = {
        stem
        for word in ("pas", "ne", "plus", "not", "no", "can", "t", "works")
        for stem in stems(word)
    }
    generic |= set(stems("fonctionne marche code rien"))
    for slug in SLUGS:
        for lang in (Language.FR, Language.EN):
            article = KB.article(slug, lang)
            assert article is not None
            for phrase in article.phrases:
                assert not set(stems(phrase)) <= generic, (slug, phrase)


def test_keywords_alone_never_match() -> None:
    # "imprimante", "impression", "imprimer" are keywords only: no phrase, no answer
    assert KB.match("Question sur l'imprimante et l'impression : comment imprimer?", "fr") is None


def test_threshold_is_a_constructor_argument() -> None:
    strict = load_kb(threshold=0.95)
    assert strict.threshold == 0.95
    assert strict.match("Mon compte est verrouillé", "fr") is None
    assert KB.match("Mon compte est verrouillé", "fr") is not None
    assert KB.threshold <= STRONG


def test_empty_text_matches_nothing() -> None:
    assert KB.match("", "fr") is None
    assert KB.match("   \n", "en") is None


ARTICLE = """+++
title = "Titre"
team = "printing"
phrases = ["imprimante hors ligne"]
+++
Corps de l'article.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_falls_back_to_french_when_no_translation(tmp_path: Path) -> None:
    _write(tmp_path, "imprimante.fr.md", ARTICLE)
    kb = load_kb(tmp_path)
    match = kb.match("printer offline? imprimante hors ligne", Language.EN)
    assert match is not None
    assert match.article.language is Language.FR
    assert match.article.team is Team.PRINTING


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("a.fr.md", "title = 'x'\n", "must start with a '+++' line"),
        ("a.fr.md", "+++\ntitle = 'x'\n", "no closing '+++'"),
        ("a.fr.md", "+++\ntitle = \n+++\nbody", "not valid TOML"),
        ("a.fr.md", ARTICLE.replace('"printing"', '"plumbing"'), "team"),
        ("a.fr.md", ARTICLE.replace("phrases", "phrasez"), "phrases"),
        ("a.fr.md", ARTICLE.replace("Corps de l'article.", ""), "body is empty"),
        ("a.fr.md", ARTICLE.replace("imprimante hors ligne", "de la"), "no content word"),
        ("A.FR.md", ARTICLE, "file name must be"),
        ("a.de.md", ARTICLE, "file name must be"),
        ("a.en.md", ARTICLE, "has no French version"),
    ],
)
def test_load_errors_name_the_file_and_the_problem(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(SelfServiceDataError) as caught:
        load_kb(tmp_path)
    assert caught.value.path == path
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)


def test_load_errors_for_the_folder(tmp_path: Path) -> None:
    with pytest.raises(SelfServiceDataError, match="not found"):
        load_kb(tmp_path / "missing")
    with pytest.raises(SelfServiceDataError, match="no article"):
        load_kb(tmp_path)


def test_bad_exclusions_file(tmp_path: Path) -> None:
    _write(tmp_path, "imprimante.fr.md", ARTICLE)
    _write(tmp_path, "exclusions.toml", "nut = ['x']\n")
    with pytest.raises(SelfServiceDataError, match=r"exclusions\.toml"):
        load_kb(tmp_path)


def test_knowledge_base_can_be_built_in_memory() -> None:
    articles = [a for slug in SLUGS for a in (KB.article(slug, "fr"), KB.article(slug, "en")) if a]
    kb = KnowledgeBase(articles, ["hameçonnage"], threshold=0.5)
    assert kb.match("Mon imprimante est hors ligne", "fr") is not None
    assert kb.match("Hameçonnage? mon imprimante est hors ligne", "fr") is None
    assert DEFAULT_DIR.is_dir()
