"""`OutboundMessage` → RFC 5322 bytes, safe against header injection."""

from __future__ import annotations

import email.policy
import email.utils
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage

from intake.message import OutboundMessage

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_header(value: str) -> str:
    """One line, no control characters: CR/LF in a subject or a name cannot add a header."""
    return " ".join(_CONTROL.sub(" ", value).split())


def compose(message: OutboundMessage, *, sender: str, sender_name: str, now: datetime) -> bytes:
    """Build the MIME message. `sender` is the service's own address."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = _address(sender_name, sender)
    msg["To"] = ", ".join(str(_address(message.to_name, to)) for to in message.to)
    msg["Subject"] = clean_header(message.subject)
    msg["Date"] = email.utils.format_datetime(now)
    msg["Message-ID"] = f"<{clean_header(message.message_id)}>"
    if message.in_reply_to:
        msg["In-Reply-To"] = f"<{clean_header(message.in_reply_to)}>"
    if message.references:
        msg["References"] = " ".join(f"<{clean_header(r)}>" for r in message.references)
    if message.auto_submitted:
        # RFC 3834 §5: automatic responses say so; Exchange honours its own suppress header.
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    # Recognised on the way back in (intake.mail.automated): our own mail never opens a ticket.
    msg["X-Guichet-Loop"] = sender.rpartition("@")[2] or "guichet"
    for name, value in message.headers:
        msg[clean_header(name)] = clean_header(value)
    msg.set_content(message.text)
    return msg.as_bytes()


def _address(name: str, addr: str) -> Address:
    addr = clean_header(addr)
    local, _, domain = addr.rpartition("@")
    return Address(display_name=clean_header(name), username=local, domain=domain)
