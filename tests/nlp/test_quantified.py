"""Who is affected, said with quantifiers and their negation (nlp.quantified), FR and EN."""

from __future__ import annotations

import pytest

from nlp.model import Model
from nlp.quantified import quantified_scopes
from nlp.severity import Scope


def scopes(model: Model, lang: str, text: str) -> list[tuple[str, str]]:
    doc = model.pipelines[lang].nlp(text.lower())
    return [(q.scope.value, doc[q.start : q.end].text) for q in quantified_scopes(doc)]


@pytest.mark.parametrize(
    ("lang", "text", "scope"),
    [
        ("fr", "personne au ministère ne peut ouvrir le système de paie", Scope.ORGANISATION),
        ("fr", "plus personne ne peut se connecter", Scope.SYSTEM),
        ("fr", "personne peut travailler depuis 8 h", Scope.SYSTEM),
        ("fr", "aucun agent ne peut saisir les demandes", Scope.SYSTEM),
        ("fr", "aucun poste du bureau de Laval ne démarre", Scope.SITE),
        ("fr", "aucun bureau régional n'a de réseau", Scope.ORGANISATION),
        ("fr", "tout le monde au bureau de Rimouski est sans réseau", Scope.SITE),
        ("fr", "l'ensemble des bureaux régionaux est touché", Scope.ORGANISATION),
        ("fr", "l'ensemble de la direction est bloquée", Scope.GROUP),
        ("fr", "toute la nouvelle équipe est bloquée", Scope.GROUP),
        ("fr", "tous les employés du ministère", Scope.ORGANISATION),
        ("fr", "tous les utilisateurs de SAGIR", Scope.SYSTEM),
        ("fr", "tous mes collègues ont le même problème", Scope.GROUP),
        ("fr", "le ministère au complet est paralysé", Scope.ORGANISATION),
        ("fr", "l'édifice entier est sans courant", Scope.SITE),
        ("fr", "tous les étages sont touchés", Scope.SITE),
        ("fr", "3 bureaux sur 5 sont sans réseau", Scope.ORGANISATION),
        ("fr", "tout le monde sauf moi a accès", Scope.PERSON),
        ("en", "nobody in the building can print", Scope.SITE),
        ("en", "no one can log in", Scope.SYSTEM),
        ("en", "the whole regional office has no network", Scope.SITE),
        ("en", "the whole accounting team is blocked", Scope.GROUP),
        ("en", "nobody in the department can open SAGIR", Scope.ORGANISATION),
        ("en", "all our offices lost the VPN", Scope.ORGANISATION),
        ("en", "every user of the portal gets an error", Scope.SYSTEM),
        ("en", "all staff are affected", Scope.ORGANISATION),
        ("en", "everyone except me can open it", Scope.PERSON),
        ("en", "about 30 lawyers, all on the 7th floor, cannot open files", Scope.GROUP),
        ("en", "no clinician in any of our facilities can view a chart", Scope.ORGANISATION),
        ("en", "all 20 supervisors in the Roads Maintenance division get a 404", Scope.GROUP),
        ("en", "the payroll team (5 of us) can't open the module", Scope.GROUP),
    ],
)
def test_quantified_subject_gives_the_scope(
    model: Model, lang: str, text: str, scope: Scope
) -> None:
    found = scopes(model, lang, text)
    assert found, text
    assert found[0][0] == scope.value, found


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "Bonjour tout le monde, mon Outlook plante."),
        ("fr", "Merci à tous pour votre aide."),
        ("fr", "J'ai travaillé toute la journée au bureau sans souci avant la panne."),
        ("fr", "Personne d'autre n'est touché."),
        ("fr", "Une personne de mon équipe ne peut pas imprimer."),
        ("fr", "Tous mes fichiers ont disparu."),
        ("en", "Hi all, my laptop will not boot."),
        ("en", "No one else has the problem."),
        ("en", "I lost all my files."),
    ],
)
def test_no_scope_from_greetings_time_or_things(model: Model, lang: str, text: str) -> None:
    wide = [s for s in scopes(model, lang, text) if s[0] != Scope.PERSON.value]
    assert wide == []


def test_a_whole_ministry_without_payroll_is_never_p4(tri) -> None:  # type: ignore[no-untyped-def]
    t = tri(
        "Personne au ministère ne peut ouvrir le système de paie depuis ce matin, "
        "la paie doit être transmise avant midi."
    )
    assert t.severity is not None and t.severity.value == "P1"
    assert ("scope", "organisation", "Personne au ministère") in [
        (e.factor, e.label, e.text) for e in t.evidence
    ]
