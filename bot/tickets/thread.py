"""Which ticket does a mail point to? Our own Message-IDs first, then the subject tag.

Our Message-IDs look like `<csc-000123.5f2c…@domain>`: the ticket is readable from any reply
without a database lookup (RFC 5322 §3.6.4 lets us choose the left part freely). The number
part is read with `bot.tickets.number`'s format, so every width from 1 to 12 digits threads
(`csc-1000000.…`, `[CSC-1000000]`). `intake.mail.automated` recognises the same shape with a
copy of its own (intake never imports bot): keep the two in step.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bot.tickets.number import DIGITS, MAX_DIGITS, PREFIX, WIDTH, TicketNumber
from intake.mail.parsed import ParsedEmail

ThreadReason = Literal["in_reply_to", "references", "subject_tag"]

# In subjects, clients and people mangle the hyphen (Word's non-breaking and en dashes) or
# drop it; the reply prefixes in front (RE:, TR:, RE :, Réf. :, FW:, AW:) do not matter.
# Outside brackets, a number after a space needs the width we write (`CSC 000123`), so that
# prose like "le CSC 24h sur 24" is not read as ticket 24.
_DASH = r"[-\u2010\u2011\u2012\u2013\u2014]"
_SPACE = r"[\u00a0 ]"
_ANY_WIDTH = f"({DIGITS})"
_OUR_WIDTH = rf"(\d{{{WIDTH},{MAX_DIGITS}}})"
_TAG = re.compile(rf"\[\s*#?{PREFIX}(?:{_DASH}|{_SPACE})?{_ANY_WIDTH}\s*\]", re.I)
_BARE = re.compile(
    rf"(?<![\w-])#?{PREFIX}(?:{_DASH}?{_ANY_WIDTH}|{_SPACE}{_OUR_WIDTH})(?!\d)", re.I
)
_OUR_ID = re.compile(rf"^{PREFIX}-({DIGITS})\.[0-9a-z]+@(.+)$", re.I)


@dataclass(frozen=True, slots=True)
class ThreadRef:
    ticket: str | None
    """The canonical ticket number (`CSC-000123`), or None."""
    reason: ThreadReason | None


def new_message_id(ticket: TicketNumber | str, domain: str) -> str:
    """A fresh Message-ID (without brackets) that encodes `ticket`."""
    return f"{str(ticket).lower()}.{secrets.token_hex(8)}@{domain}"


def ticket_of_message_id(message_id: str, domain: str | None = None) -> str | None:
    """The ticket encoded in one of our Message-IDs, or None (also when the domain is not ours)."""
    match = _OUR_ID.match(message_id.strip().strip("<>"))
    if match is None or (domain and match.group(2).lower() != domain.lower()):
        return None
    return _canonical(match.group(1))


def ticket_in_subject(subject: str) -> str | None:
    """The ticket tag in a subject, `[CSC-000123]` first, whatever prefixes precede it."""
    for digits in _digits_in(subject):
        if ticket := _canonical(digits):
            return ticket
    return None


def _digits_in(subject: str) -> Iterator[str]:
    for pattern in (_TAG, _BARE):
        for match in pattern.finditer(subject):
            yield match.group(1) or match.group(2)


def _canonical(digits: str) -> str | None:
    """`000123` → `CSC-000123`; None for zero (no such ticket)."""
    value = int(digits)
    return str(TicketNumber(value)) if value else None


def find_thread(parsed: ParsedEmail, domain: str | None = None) -> ThreadRef:
    """The ticket a message belongs to, with the reason, in the order of trust."""
    for ident in parsed.in_reply_to:
        if ticket := ticket_of_message_id(ident, domain):
            return ThreadRef(ticket, "in_reply_to")
    for ident in reversed(parsed.references):
        if ticket := ticket_of_message_id(ident, domain):
            return ThreadRef(ticket, "references")
    # A bounce of our own notification: the returned message carries our Message-ID.
    for ident in parsed.returned_ids:
        if ticket := ticket_of_message_id(ident, domain):
            return ThreadRef(ticket, "references")
    if ticket := ticket_in_subject(parsed.subject):
        return ThreadRef(ticket, "subject_tag")
    return ThreadRef(None, None)
