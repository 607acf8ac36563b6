"""What an inbound message means for the tickets. Pure: no I/O, no clock.

The rules, in order:
1. automated mail (auto-replies, bounces, lists, our own mail) never opens a ticket and is never
   answered; it is attached to the ticket it refers to, if any;
2. a message that points to a ticket we have (our Message-ID, then the subject tag) is a
   follow-up on it, unless that ticket is closed (then it starts a new one);
3. anything else opens a ticket. An email is acknowledged only when we know who sent it: a
   requester of a known client organisation (no backscatter to forged senders); a chat message
   (signed by Slack, answered in its own thread) always is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.dispatch.incoming import Incoming
from bot.organisations import UNKNOWN
from bot.store.models import TicketStatus
from intake.message import Channel


class Action(StrEnum):
    NEW_TICKET = "new_ticket"
    FOLLOW_UP = "follow_up"
    AUTOMATED = "automated"


class Withheld(StrEnum):
    """Why a new ticket gets no automatic acknowledgement."""

    UNKNOWN_ORGANISATION = "unknown_organisation"
    NO_SENDER = "no_sender"


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    ticket: str | None = None
    """The existing ticket the message goes to (follow-ups, automated mail)."""
    thread_reason: str | None = None
    withheld: Withheld | None = None
    """For a new ticket: why no acknowledgement is sent (None: one is)."""


def decide(
    incoming: Incoming,
    ticket: str | None,
    reason: str | None,
    ticket_status: str | None,
    organisation: str,
) -> Decision:
    """Decide for one message. `ticket` is the ticket it belongs to (found from the message
    itself or from the store, for `reason`), `ticket_status` that ticket's status in the store:
    None when the message points nowhere or to a ticket we do not have."""
    known = ticket if ticket_status is not None else None
    if incoming.automated is not None:
        return Decision(Action.AUTOMATED, known, reason if known else None)
    if known is not None and ticket_status != TicketStatus.CLOSED:
        return Decision(Action.FOLLOW_UP, known, reason)
    if incoming.channel != Channel.EMAIL:
        return Decision(Action.NEW_TICKET)
    if not incoming.sender:
        return Decision(Action.NEW_TICKET, withheld=Withheld.NO_SENDER)
    if organisation == UNKNOWN:
        return Decision(Action.NEW_TICKET, withheld=Withheld.UNKNOWN_ORGANISATION)
    return Decision(Action.NEW_TICKET)


def status_after_follow_up(status: str) -> str:
    """A person's reply lifts `waiting_on_user` and reopens a resolved ticket."""
    if status in (TicketStatus.WAITING_ON_USER, TicketStatus.RESOLVED):
        return TicketStatus.OPEN
    return status
