"""Synthetic test mail (no real person's data)."""

from __future__ import annotations

import email.policy
import os
from email.message import EmailMessage
from pathlib import Path


def make_email(
    *,
    sender: str = "Jeanne Tremblay <jeanne.tremblay@msss.example>",
    subject: str = "Mon Outlook ne s'ouvre plus",
    body: str = "Bonjour, depuis ce matin Outlook plante au démarrage. Merci!",
    message_id: str | None = "<m1.example@msss.example>",
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = "csc@itq.example"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 23 Nov 2026 09:00:00 -0500"
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def drop(inbox: Path, name: str, raw: bytes) -> Path:
    """Put a file in the inbox the way a mail delivery agent should: write aside, rename in."""
    inbox.mkdir(parents=True, exist_ok=True)
    tmp = inbox / f".{name}.tmp"
    tmp.write_bytes(raw)
    os.replace(tmp, inbox / name)
    return inbox / name
