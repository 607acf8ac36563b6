"""Matching a new report to a known outage (pure), and what its requester is told."""

from __future__ import annotations

from datetime import timedelta

from bot.outages.linked import notice_for_requester
from bot.outages.matching import fold, matching
from bot.store.models import Outage
from tests.outages.helpers import NOW


def outage(number: str, **changes: object) -> Outage:
    values: dict[str, object] = {
        "number": number, "kind": "outage", "status": "active",
        "title_fr": "Courriel Outlook indisponible", "title_en": "Outlook email unavailable",
        "text_fr": "…", "text_en": "…", "services": ["Outlook"], "organisations": [],
        "sites": [], "team": "collaboration", "starts_at": NOW, "declared_by": "a",
        "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    values.update(changes)
    return Outage(**values)  # type: ignore[arg-type]


MAIL = outage("PANNE-0001")
VPN = outage(
    "PANNE-0002", title_fr="Accès VPN coupé", title_en="VPN access down", services=["VPN"],
    team="network", sites=["Gatineau"], organisations=["msss"],
)  # fmt: skip


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Réseau  ÉTEINT, à Québec!") == "reseau eteint a quebec"


def test_a_named_service_is_enough() -> None:
    assert (
        matching([MAIL, VPN], "Mon OUTLOOK plante depuis ce matin", "workstation", "msss") is MAIL
    )
    assert matching([MAIL, VPN], "can't connect to the vpn", None, "msss") is VPN


def test_title_words_and_team_add_up_but_team_alone_does_not() -> None:
    assert matching([MAIL, VPN], "Mes courriels n'arrivent plus", "collaboration", "mjq") is MAIL
    assert matching([MAIL, VPN], "Mon imprimante bloque", "collaboration", "mjq") is None
    assert matching([MAIL, VPN], "Problème de service, panne", "network", "msss") is None


def test_organisation_and_status_filter() -> None:
    assert matching([VPN], "VPN", None, "mjq") is None  # VPN is an msss outage only
    resolved = outage("PANNE-0003", status="resolved")
    assert matching([resolved], "Outlook", None, "msss") is None


def test_ties_go_to_the_active_then_the_latest() -> None:
    later = outage("PANNE-0004", starts_at=NOW + timedelta(hours=1))
    upcoming = outage("PANNE-0005", status="planned", starts_at=NOW + timedelta(hours=5))
    assert matching([MAIL, later, upcoming], "Outlook", None, None) is later


def test_notice_for_requester_in_their_language() -> None:
    subject, text = notice_for_requester(
        outage("PANNE-0001", expected_end=NOW + timedelta(hours=2)), "en", ticket="CSC-000007"
    )
    assert subject == "Known outage: Outlook email unavailable"
    assert "CSC-000007" in text and "Expected back: 2026-11-23 12:00 EST" in text
    subject, text = notice_for_requester(MAIL, "fr", channel="slack")
    assert subject == "Panne connue : Courriel Outlook indisponible"
    assert "Nous sommes au courant" in text and "Bonjour" not in text
