"""The guide's decision table on hand-written factor combinations (no model needed)."""

from __future__ import annotations

import pytest

from nlp.labels import Severity
from nlp.severity import Factors, Impact, Scope, Security, decide

ORG, SY, SI, G, P = Scope.ORGANISATION, Scope.SYSTEM, Scope.SITE, Scope.GROUP, Scope.PERSON
T, MA, MI, N = Impact.TOTAL, Impact.MAJOR, Impact.MINOR, Impact.NONE

CASES = [
    # P1: total, organisation or system, mission, no workaround
    (Factors(SY, T, mission=True), Severity.P1),
    (Factors(ORG, T, mission=True), Severity.P1),
    (Factors(P, T, security=Security.SPREADING), Severity.P1),
    (Factors(P, T, security=Security.DATA_EXPOSED), Severity.P1),
    # P2: a workaround at that scale does not lower it below P2
    (Factors(SY, T, mission=True, workaround=True), Severity.P2),
    (Factors(SI, T, mission=True), Severity.P2),
    (Factors(ORG, T), Severity.P2),
    (Factors(ORG, MA), Severity.P2),
    (Factors(SY, MA, mission=True), Severity.P2),
    (Factors(G, T, security=Security.CONFIRMED), Severity.P2),
    # P3
    (Factors(ORG, MI), Severity.P3),
    (Factors(SI, MI), Severity.P3),
    (Factors(SI, T), Severity.P3),
    (Factors(G, T), Severity.P3),
    (Factors(G, T, workaround=True), Severity.P3),
    (Factors(SY, T), Severity.P3),
    (Factors(SY, MA), Severity.P3),
    (Factors(SY, N, protective=True), Severity.P3),
    (Factors(P, T, security=Security.POSSIBLE), Severity.P3),
    # P5 before P4
    (Factors(SY, N, schedulable=True), Severity.P5),
    (Factors(P, N, schedulable=True), Severity.P5),
    # P4: everything else
    (Factors(P, T), Severity.P4),
    (Factors(P, T, mission=True), Severity.P4),
    (Factors(G, MA), Severity.P4),
    (Factors(G, N), Severity.P4),
    (Factors(P, N), Severity.P4),
    (Factors(P, T, security=Security.REPORT), Severity.P4),
]


@pytest.mark.parametrize(("factors", "expected"), CASES)
def test_decision_table(factors: Factors, expected: Severity) -> None:
    assert decide(factors) is expected


def test_defaults_are_one_person_blocked() -> None:
    assert decide(Factors()) is Severity.P4
