"""The dispatcher's decisions, as a pure function."""

from dataclasses import replace

from bot.dispatch.decide import Action, Withheld, decide, status_after_follow_up
from bot.dispatch.incoming import from_email
from intake.mail.parse import parse_email
from intake.mail.parsed import Automated
from tests.mail import make_email

MAIL = from_email(parse_email(make_email()), "guichet.example")
ONE = "CSC-000001"
ON_TICKET = frozenset({"jeanne.tremblay@msss.example"})


def test_new_message_from_known_org_is_acknowledged() -> None:
    decision = decide(MAIL, None, None, None, "msss")
    assert decision.action == Action.NEW_TICKET and decision.withheld is None


def test_unknown_org_or_no_sender_opens_without_ack() -> None:
    assert decide(MAIL, None, None, None, "unknown").withheld == Withheld.UNKNOWN_ORGANISATION
    anonymous = replace(MAIL, sender="")
    assert decide(anonymous, None, None, None, "unknown").withheld == Withheld.NO_SENDER


def test_reply_to_known_ticket_is_a_follow_up_unless_closed() -> None:
    assert decide(MAIL, ONE, "subject_tag", "open", "msss", ON_TICKET).action == Action.FOLLOW_UP
    assert decide(MAIL, ONE, "subject_tag", "closed", "msss", ON_TICKET).action == (
        Action.NEW_TICKET
    )
    # a tag naming a ticket we do not have opens a new one
    assert decide(MAIL, ONE, "subject_tag", None, "msss").action == Action.NEW_TICKET


def test_email_from_someone_not_on_the_ticket_opens_its_own() -> None:
    stranger = replace(MAIL, sender="victor@mcn.example")
    decision = decide(stranger, ONE, "subject_tag", "open", "mcn", ON_TICKET)
    assert decision.action == Action.NEW_TICKET
    assert (decision.ticket, decision.claimed, decision.withheld) == (None, ONE, None)
    outsider = decide(replace(MAIL, sender="x@example.net"), ONE, "in_reply_to", "open", "unknown")
    assert outsider.action == Action.NEW_TICKET and outsider.claimed == ONE
    assert outsider.withheld == Withheld.UNKNOWN_ORGANISATION
    copied = frozenset({*ON_TICKET, "victor@mcn.example"})
    assert decide(stranger, ONE, "subject_tag", "open", "mcn", copied).action == Action.FOLLOW_UP


def test_automated_mail_never_opens_a_ticket() -> None:
    auto = replace(MAIL, automated=Automated.OUT_OF_OFFICE)
    assert decide(auto, None, None, None, "msss").action == Action.AUTOMATED
    attached = decide(auto, ONE, "in_reply_to", "open", "msss")
    assert attached.action == Action.AUTOMATED and attached.ticket == ONE


def test_user_reply_lifts_waiting_and_reopens() -> None:
    assert status_after_follow_up("waiting_on_user") == "open"
    assert status_after_follow_up("resolved") == "open"
    assert status_after_follow_up("in_progress") == "in_progress"


def test_proposal_applies_only_when_every_label_clears_its_threshold() -> None:
    from bot.dispatch.opening import auto_applies
    from nlp import Kind, Language, Level, Severity, Team, Triage

    sure = Triage(
        language=Language.FR,
        model="m",
        kind=Kind.INCIDENT,
        severity=Severity.P3,
        level=Level.N2,
        team=Team.NETWORK,
        auto_apply={"kind": True, "team": True, "level": True, "severity": True},
    )
    assert auto_applies(sure)
    assert not auto_applies(replace(sure, auto_apply={**sure.auto_apply, "severity": False}))
    request = replace(
        sure,
        kind=Kind.REQUEST,
        severity=None,
        auto_apply={"kind": True, "team": True, "level": True},
    )
    assert auto_applies(request)
    assert not auto_applies(replace(sure, auto_apply={}))
