"""Which ticket does a message point to? Our own Message-IDs first, then the subject tag.

Our Message-IDs look like `<csc-000123.5f2c…@domain>`: the ticket is readable from any reply
without a database lookup (RFC 5322 §3.6.4 lets us choose the left part freely).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from intake.mail.parsed import ParsedEmail

ThreadReason = Literal["in_reply_to", "references", "subject_tag"]

TICKET_PATTERN = r"CSC-\d{6}"
# In subjects, clients and people mangle the hyphen (Word's non-breaking and en dashes) or
# drop it; the reply prefixes in front (RE:, TR:, RE :, Réf. :, FW:, AW:) do not matter.
_LOOSE = r"CSC[-\u2010\u2011\u2012\u2013\u2014\u00a0 ]?(\d{6})"
_TAG = re.compile(r"\[\s*#?" + _LOOSE + r"\s*\]", re.I)
_BARE = re.compile(r"(?<![\w-])#?" + _LOOSE + r"(?!\d)", re.I)
_OUR_ID = re.compile(r"^(" + TICKET_PATTERN + r")\.[0-9a-z]+@(.+)$", re.I)


@dataclass(frozen=True, slots=True)
class ThreadRef:
    ticket: str | None
    reason: ThreadReason | None


def new_message_id(ticket: str, domain: str) -> str:
    """A fresh Message-ID (without brackets) that encodes `ticket`."""
    return f"{ticket.lower()}.{secrets.token_hex(8)}@{domain}"


def ticket_of_message_id(message_id: str, domain: str | None = None) -> str | None:
    """The ticket encoded in one of our Message-IDs, or None (also when the domain is not ours)."""
    match = _OUR_ID.match(message_id.strip().strip("<>"))
    if match is None or (domain and match.group(2).lower() != domain.lower()):
        return None
    return match.group(1).upper()


def ticket_in_subject(subject: str) -> str | None:
    """The ticket tag in a subject, `[CSC-000123]` first, whatever prefixes precede it."""
    match = _TAG.search(subject) or _BARE.search(subject)
    return f"CSC-{match.group(1)}" if match else None


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
