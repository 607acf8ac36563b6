"""The cost-aware decision (nlp.caution) and the issue's typical misses, end to end."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from nlp.caution import DOUBT_AT, cautious, words_stand
from nlp.factors import decide_factors
from nlp.labels import Kind, Severity, Team
from nlp.severity import decide

PERSON_SURE = {"scope": {"person": 0.9, "group": 0.04, "site": 0.02, "system": 0.02}}
SYSTEM_LIKELY = {"scope": {"person": 0.3, "group": 0.05, "site": 0.05, "system": 0.6}}


def test_a_mission_system_down_with_a_plausible_wide_scope_is_raised_to_confirm() -> None:
    found = decide_factors((), mission_service=True)
    assert decide(found.factors) is Severity.P4  # one person, by default
    severity, doubts = cautious(found, Severity.P4, SYSTEM_LIKELY)
    assert severity is Severity.P1
    assert [(d.factor, d.label) for d in doubts] == [("scope", "system")]


def test_no_doubt_no_raise() -> None:
    found = decide_factors((), mission_service=True)
    assert cautious(found, Severity.P4, PERSON_SURE) == (Severity.P4, ())


def test_a_doubt_that_cannot_make_it_critical_changes_nothing() -> None:
    found = decide_factors((), mission_service=False)  # no mission: a system scope is P3
    assert cautious(found, Severity.P4, SYSTEM_LIKELY) == (Severity.P4, ())


def test_the_reader_never_lowers_a_critical_reading_of_who_is_affected() -> None:
    found = decide_factors((), mission_service=True)
    shown = dataclasses.replace(found, explicit_scope=True)
    assert words_stand(shown, Severity.P1, Severity.P2) is Severity.P1
    assert words_stand(shown, Severity.P2, Severity.P4) is Severity.P2
    # it never lowers, and never holds up a milder reading
    assert words_stand(shown, Severity.P2, Severity.P1) is Severity.P1
    assert words_stand(shown, Severity.P3, Severity.P4) is Severity.P4
    # who and how much both shown in words, nothing learned: no reading of the table is lowered
    both = dataclasses.replace(shown, explicit_impact=True)
    assert words_stand(both, Severity.P3, Severity.P4) is Severity.P3
    assert words_stand(
        dataclasses.replace(both, learned=("impact",)), Severity.P3, Severity.P4
    ) is (Severity.P4)
    # a scope a model supplied, or none shown: the blend stands
    learned = dataclasses.replace(shown, learned=("scope",))
    assert words_stand(learned, Severity.P1, Severity.P2) is Severity.P2
    assert words_stand(found, Severity.P1, Severity.P2) is Severity.P2


def test_a_grave_compromise_the_model_suspects_is_raised() -> None:
    found = decide_factors((), mission_service=False)
    learned = {"security": {"none": 0.4, "confirmed": DOUBT_AT["security"] + 0.1}}
    severity, doubts = cautious(found, Severity.P4, learned)
    assert severity is Severity.P2
    assert doubts[0].factor == "security"


@pytest.mark.parametrize(
    ("text", "worst"),
    [
        (
            "personne au ministère ne peut ouvrir le système de paie depuis ce matin, "
            "la paie doit être transmise avant midi",
            Severity.P1,
        ),
        ("le système de répartition des appels d'urgence est hors service", Severity.P2),
        (
            "hundreds of failed logins from a foreign IP overnight, two accounts compromised",
            Severity.P2,
        ),
        ("plus personne ne peut se connecter au portail citoyen", Severity.P2),
    ],
)
def test_the_issue_misses_are_critical(tri: Any, text: str, worst: Severity) -> None:
    t = tri(text)
    assert t.kind is Kind.INCIDENT
    assert t.severity is not None and int(t.severity.value[1]) <= int(worst.value[1]), t


def test_a_raised_proposal_is_marked_and_never_auto_applied(tri: Any) -> None:
    t = tri("le système de répartition des appels d'urgence est hors service")
    assert t.to_confirm
    assert t.auto_apply["severity"] is False
    assert t.confidence.severity is not None and t.confidence.severity < 0.5


def test_compromise_goes_to_security(tri: Any) -> None:
    t = tri("hundreds of failed logins from a foreign IP overnight, two accounts compromised")
    assert t.team is Team.SECURITY


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("installation souris sans fil", Kind.REQUEST),
        ("création compte AD", Kind.REQUEST),
        ("peut pas accéder à la boîte mail", Kind.INCIDENT),
        ("Backup job failed 1 machines 1 failed", Kind.INCIDENT),
    ],
)
def test_kind_on_short_titles(tri: Any, subject: str, kind: Kind) -> None:
    assert tri("", subject).kind is kind


def test_preventive_work_asked_for_is_a_p5_incident(tri: Any) -> None:
    t = tri("Pile de la souris faible - à remplacer, quand vous aurez le temps")
    assert t.kind is Kind.INCIDENT
    assert t.severity is Severity.P5


def test_a_phishing_received_by_a_team_impairs_nothing(tri: Any) -> None:
    t = tri(
        "Toute l'équipe des loisirs (12 personnes) a reçu un courriel d'hameçonnage ce matin. "
        "Personne n'a cliqué."
    )
    assert t.severity is Severity.P4
    assert t.team is Team.SECURITY
