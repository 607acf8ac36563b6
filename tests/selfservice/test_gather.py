"""Gathering: a burst of similar reports becomes one Burst; scattered or different ones do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.selfservice.gather import Burst, GatherConfig, Report, find_burst, vector
from nlp.text import cosine

T0 = datetime(2025, 11, 12, 9, 0, tzinfo=UTC)
CONFIG = GatherConfig(window=timedelta(minutes=10), threshold=0.5, min_count=3, same_team=True)

OUTLOOK = (
    "Outlook ne répond plus",
    "Bonjour, mon Outlook ne répond plus depuis 9h",
    "outlook ne repond plus du tout",
    "Outlook gèle et ne répond plus, je ne peux pas lire mes courriels",
    "URGENT Outlook ne répond plus!!",
)


def _reports(
    texts: tuple[str, ...], *, minutes: float = 2, team: str | None = "collaboration"
) -> list[Report]:
    return [
        Report(f"CSC-{i + 1:06d}", text, team, T0 + timedelta(minutes=minutes * i))
        for i, text in enumerate(texts)
    ]


def test_five_similar_reports_in_ten_minutes_make_one_burst() -> None:
    reports = _reports(OUTLOOK, minutes=2.5)
    burst = find_burst(reports[-1], reports[:-1], CONFIG)
    assert burst == Burst(
        numbers=("CSC-000001", "CSC-000002", "CSC-000003", "CSC-000004", "CSC-000005"),
        team="collaboration",
        label="outlook · répond",
        terms=("outlook", "répond"),
        first_at=T0,
        last_at=T0 + timedelta(minutes=10),
    )


def test_order_of_recent_reports_does_not_matter() -> None:
    reports = _reports(OUTLOOK)
    forward = find_burst(reports[-1], reports[:-1], CONFIG)
    backward = find_burst(reports[-1], list(reversed(reports[:-1])), CONFIG)
    assert forward == backward and forward is not None


def test_dissimilar_reports_make_no_burst() -> None:
    texts = (
        "Outlook ne répond plus",
        "Mon imprimante est hors ligne",
        "Le VPN coupe à la maison",
        "Besoin d'un deuxième écran",
        "Mon compte est verrouillé",
    )
    reports = _reports(texts)
    assert find_burst(reports[0], reports[1:], CONFIG) is None


def test_reports_spread_out_in_time_make_no_burst() -> None:
    reports = _reports(OUTLOOK, minutes=60)
    assert find_burst(reports[-1], reports[:-1], CONFIG) is None


def test_team_must_match_when_required() -> None:
    reports = _reports(OUTLOOK)
    mixed = [
        Report(r.number, r.text, "workstation" if 0 < i < 4 else "collaboration", r.created_at)
        for i, r in enumerate(reports)
    ]
    assert find_burst(mixed[-1], mixed[:-1], CONFIG) is None
    relaxed = GatherConfig(window=CONFIG.window, same_team=False)
    burst = find_burst(mixed[-1], mixed[:-1], relaxed)
    assert burst is not None and len(burst.numbers) == 5 and burst.team is None


def test_no_team_no_burst_when_team_required() -> None:
    reports = _reports(OUTLOOK, team=None)
    assert find_burst(reports[-1], reports[:-1], CONFIG) is None


def test_minimum_count() -> None:
    reports = _reports(OUTLOOK[:2])
    assert find_burst(reports[-1], reports[:-1], CONFIG) is None
    two = GatherConfig(window=CONFIG.window, min_count=2)
    assert find_burst(reports[-1], reports[:-1], two) is not None


def test_the_new_report_is_not_counted_twice() -> None:
    reports = _reports(OUTLOOK[:2])
    assert find_burst(reports[-1], reports, CONFIG) is None


def test_english_burst_and_default_config() -> None:
    texts = (
        "The VPN keeps disconnecting",
        "VPN keeps disconnecting every 5 minutes",
        "vpn disconnecting again from home",
    )
    reports = _reports(texts, team="network")
    burst = find_burst(reports[-1], reports[:-1])
    assert burst is not None
    assert set(burst.terms[:2]) == {"vpn", "disconnecting"}
    assert burst.numbers == ("CSC-000001", "CSC-000002", "CSC-000003")


def test_cosine() -> None:
    a = vector("Outlook ne répond plus")
    assert cosine(a, a) == 1.0 or abs(cosine(a, a) - 1.0) < 1e-9
    assert cosine(a, vector("Imprimante hors ligne")) == 0.0
    assert cosine(a, vector("")) == 0.0
    assert vector("Outlook ne répond plus") == vector("OUTLOOK NE REPOND PLUS")
