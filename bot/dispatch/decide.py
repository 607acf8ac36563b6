"""What an inbound message means for the tickets. Pure: no I/O, no clock.

The rules, in order:
1. automated mail (auto-replies, bounces, lists, our own mail) never opens a ticket and is never
   answered; it is attached to the ticket it refers to, if any;
2. a message that points to a ticket we have (our Message-ID, then the subject tag) is a
   follow-up on it, unless that ticket is closed (then it starts a new one). An email from
   someone not on the ticket (neither its requester nor a person the requester put in copy) is
   not attached: it opens its own ticket, marked with the ticket it claimed, for an agent to
   link if it belongs there. Attaching it would let anyone who knows a ticket number add to it
   (and, by copying himself in, read its status). A Slack thread is shared by the people in
   its channel, who see it anyway: a reply there is a follow-up whoever writes it;
3. anything else opens a ticket. An email is acknowledged only when we know who sent it: a
   requester of a known client organisation (no backscatter to forged senders); a chat message
   (signed by Slack, answered in its own thread) always is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.dispatch.incoming import Incoming
from bot.organisations import UNKNOWN
from bot.tickets import Status
from intake.message import Channel


class Action(StrEnum):
    NEW_TICKET = "new_ticket"
    FOLLOW_UP = "follow_up"
    AUTOMATED = "automated"


class Withheld(StrEnum):
    """Why a new ticket gets no automatic acknowledgement."""

    UNKNOWN_ORGANISATION = "unknown_organisation"
    NO_SENDER = "no_sender"
    SUPPRESSED_ADDRESS = "suppressed_address"
    """Found by the writer (a store fact): the address bounced, or reached a send cap."""


WITHHELD_REASONS = {
    Withheld.UNKNOWN_ORGANISATION: "the sender's domain is not a client organisation",
    Withheld.NO_SENDER: "the message has no sender address",
    Withheld.SUPPRESSED_ADDRESS: "suppressed address",
}
"""For the operator log: why a new ticket got no acknowledgement."""


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    ticket: str | None = None
    """The existing ticket the message goes to (follow-ups, automated mail)."""
    thread_reason: str | None = None
    withheld: Withheld | None = None
    """For a new ticket: why no acknowledgement is sent (None: one is)."""
    claimed: str | None = None
    """For a new ticket: the ticket the message pointed to, whose sender is not on it."""


def decide(
    incoming: Incoming,
    ticket: str | None,
    reason: str | None,
    ticket_status: str | None,
    organisation: str,
    on_ticket: frozenset[str] | None = None,
) -> Decision:
    """Decide for one message. `ticket` is the ticket it belongs to (found from the message
    itself or from the store, for `reason`), `ticket_status` that ticket's status in the store:
    None when the message points nowhere or to a ticket we do not have. `on_ticket` holds the
    addresses of the people on that ticket (its requester and those the requester put in copy);
    None when not looked up (chat)."""
    known = ticket if ticket_status is not None else None
    if incoming.automated is not None:
        return Decision(Action.AUTOMATED, known, reason if known else None)
    claimed = None
    if known is not None and ticket_status != Status.CLOSED:
        stranger = incoming.channel == Channel.EMAIL and incoming.sender not in (on_ticket or ())
        if not stranger:
            return Decision(Action.FOLLOW_UP, known, reason)
        claimed = known
    if incoming.channel != Channel.EMAIL:
        return Decision(Action.NEW_TICKET)
    if not incoming.sender:
        return Decision(Action.NEW_TICKET, withheld=Withheld.NO_SENDER, claimed=claimed)
    if organisation == UNKNOWN:
        return Decision(Action.NEW_TICKET, withheld=Withheld.UNKNOWN_ORGANISATION, claimed=claimed)
    return Decision(Action.NEW_TICKET, claimed=claimed)


def status_after_follow_up(status: Status) -> Status:
    """A person's reply lifts `waiting_on_user` and reopens a resolved ticket."""
    if status in (Status.WAITING_ON_USER, Status.RESOLVED):
        return Status.OPEN
    return status
