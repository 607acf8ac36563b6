"""Who bounced, and for good? Read from RFC 3464 delivery-status parts, else from the text.

A hard bounce (RFC 3463 class 5, "permanent failure") means the bot should stop writing to
that address; a delay or a class 4 failure means nothing yet. Free-form notices (qmail, old
Exchange, Exim without DSN) are read with the patterns those servers are known to print.
"""

from __future__ import annotations

import re
from email.message import Message

from intake.mail.headers import Headers, addresses
from intake.mail.parsed import Bounce

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"(?<![\d.])([45])\d\d(?:[ -]|$)", re.M)
# The look-behind starts a match only at the start of a token: linear, not quadratic, on
# long runs of address characters (a 100 kB From header took 48 s without it).
_ADDR = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
)
# Wording of permanent and temporary failures, French and English (Exchange, Postfix, Exim,
# qmail, Sendmail, Gmail, Microsoft 365).
_PERMANENT = re.compile(
    r"(user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn't exist"
    r"|mailbox unavailable|mailbox not found|address rejected|recipient rejected|invalid recipient"
    r"|not listed in|permanent(ly)? (error|failure|fatal)|fatal error|could not be delivered"
    r"|undeliverable|n'existe pas|introuvable|inconnu|adresse (e-?mail )?invalide"
    r"|delivery has failed|failed permanently|no mailbox here|account (is )?disabled"
    r"|unrouteable|host not found|domain not found|recipient address rejected|user not found"
    r"|rejected|unable to deliver|couldn't be delivered|n'a pas pu être remis)",
    re.I,
)
_TEMPORARY = re.compile(
    r"(delayed|delay|will (be )?retr(y|ied)|still trying|temporar(y|ily)|not yet (been )?delivered"
    r"|retard|tentatives? (se poursui|continue)|warning:|over quota|mailbox (is )?full"
    r"|quota exceeded|try again later|deferred)",
    re.I,
)
_FAILED_ACTIONS = ("failed", "delayed")


def bounce_of(reports: list[Message], headers: Headers, text: str) -> Bounce | None:
    """Bounce details from the delivery-status parts, the X-Failed-Recipients header, or text."""
    found = _from_reports(reports)
    if found is not None and found.recipients:
        return found
    failed = [addr for _, addr in addresses(", ".join(headers.get_all("x-failed-recipients")))]
    if failed:
        status = _first_status(text)
        permanent = status.startswith("5") if status else not _looks_temporary(text)
        return Bounce(tuple(dict.fromkeys(failed)), permanent, status)
    return _from_text(text, exclude=_own_addresses(headers))


def _from_reports(reports: list[Message]) -> Bounce | None:
    recipients: list[str] = []
    permanent = False
    status_seen = ""
    any_block = False
    for report in reports:
        for block in _blocks(report):
            any_block = True
            action = block.get("action", "").lower().split()[0] if block.get("action") else ""
            status = _first_status(block.get("status", ""))
            recipient = _recipient(block)
            if not recipient:
                continue
            failed = action in _FAILED_ACTIONS or (not action and status[:1] in ("4", "5"))
            if not failed:
                continue  # "delivered", "relayed", "expanded" (RFC 3464 §2.3.3)
            recipients.append(recipient)
            status_seen = status_seen or status
            if action == "failed" and not status.startswith("4"):
                permanent = True
    if not any_block:
        return None
    return Bounce(tuple(dict.fromkeys(recipients)), permanent, status_seen)


def _recipient(block: dict[str, str]) -> str:
    for field in ("final-recipient", "original-recipient", "x-actual-recipient"):
        value = block.get(field, "")
        # "rfc822; user@example.com" (RFC 3464 §2.3.2 address-type; address)
        value = value.split(";", 1)[1] if ";" in value else value
        match = _ADDR.search(value)
        if match:
            return match.group(0).lower().strip(".")
    return ""


def _blocks(report: Message) -> list[dict[str, str]]:
    """Per-message and per-recipient field groups (RFC 3464 §2.1) as lower-case dicts."""
    try:
        payload = report.get_payload()
    except Exception:
        return []
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                blocks.append(
                    {str(k).lower(): " ".join(str(v).split()) for k, v in sub.raw_items()}
                )
        return blocks
    # A delivery-status the parser left as text (message/global-delivery-status, or base64).
    try:
        raw = report.get_payload(decode=True)
    except Exception:
        raw = None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        block: dict[str, str] = {}
        for line in chunk.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip() and " " not in name.strip():
                block[name.strip().lower()] = value.strip()
        if block:
            blocks.append(block)
    return blocks


def _first_status(text: str) -> str:
    match = _STATUS.search(text)
    return match.group(0) if match else ""


def _looks_temporary(text: str) -> bool:
    return bool(_TEMPORARY.search(text)) and not _STATUS.search(text.replace("4.", "x."))


_RETURNED = re.compile(
    r"^(-+ ?(original message|this is a copy|the original|message d'origine|copy of the message"
    r"|below this line|returned message|unsent message|undelivered message|message original)"
    r"|content-type: message/rfc822|return-path:|received: from)",
    re.I | re.M,
)


def _from_text(text: str, *, exclude: set[str]) -> Bounce | None:
    """A free-form notice: addresses mentioned before the returned copy of the message."""
    cut = _RETURNED.search(text)
    head = text[: cut.start()] if cut else text
    head = head[:20_000]
    found: list[str] = []
    for match in _ADDR.finditer(head):
        addr = match.group(0).lower().strip(".'\"")
        local = addr.split("@")[0]
        if (
            addr in exclude
            or local in ("mailer-daemon", "postmaster", "mail-daemon")
            or (addr.endswith((".png", ".gif", ".jpg")) or _looks_like_message_id(local))
        ):
            continue
        found.append(addr)
    if not found:
        return None
    # Prefer addresses next to an error: qmail's "<addr>:" lines, "to <addr>", "RCPT TO".
    strong = [
        a
        for a in found
        if re.search(
            r"(<" + re.escape(a) + r">\s*:|" + re.escape(a) + r">?\s*[:.]?\s*$|"
            r"(to|rcpt to|recipient|destinataire|address|adresse)\s*:?\s*<?" + re.escape(a) + ")",
            head,
            re.I | re.M,
        )
    ]
    chosen = list(dict.fromkeys(strong or found))[:20]
    status = _first_status(head)
    codes = _SMTP_CODE.findall(head)
    if status:
        permanent = status.startswith("5")
    elif "5" in codes:
        permanent = True
    else:
        # A free-form notice is a failure unless it says it will retry (Sendmail and Exim
        # warnings do); most servers only send these when they give up.
        permanent = not _TEMPORARY.search(head) or bool(_PERMANENT.search(head) and not codes)
    return Bounce(tuple(chosen), permanent, status)


def _looks_like_message_id(local: str) -> bool:
    """Message-IDs quoted in notices look like addresses (RFC 5322 §3.6.4 id-left); theirs
    are long runs of digits and hex, people's are not."""
    digits = sum(ch.isdigit() for ch in local)
    return digits >= 12 or (len(local) >= 24 and re.fullmatch(r"[0-9a-f._$-]+", local) is not None)


def _own_addresses(headers: Headers) -> set[str]:
    """Addresses of the notice itself (its sender and recipients) are not the failed ones."""
    out: set[str] = set()
    for name in ("from", "to", "sender", "reply-to", "return-path", "delivered-to"):
        out.update(addr for _, addr in addresses(headers.raw(name)))
    return out
