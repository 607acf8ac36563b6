"""What intake reads in one message file, for `inspect-email` (people and evaluation).

`inspect_mail` never fails on bad mail: the reason goes in `error` (the same typed reason the
bot quarantines with). Only reading a path can raise (OSError). The language and the ticket a
mail threads to are the bot's business: `bot.commands.inspect` adds them and prints the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.errors import SenderError
from intake.mail.headers import first_address, one_message_id
from intake.mail.parse import parse_email, read_headers
from intake.mail.parsed import ParsedEmail


@dataclass(frozen=True, slots=True)
class Inspection:
    """The JSON-ready `fields` of one message, and the parsed mail when it could be parsed."""

    fields: dict[str, Any]
    parsed: ParsedEmail | None = None


def inspect_file(path: Path, *, our_domain: str = "", details: bool = False) -> dict[str, Any]:
    """The fields of one message file. Raises OSError only if it cannot be read."""
    raw = Path(path).read_bytes()
    return inspect_mail(raw, path=str(path), our_domain=our_domain, details=details).fields


def inspect_mail(
    raw: bytes, *, path: str = "", our_domain: str = "", details: bool = False
) -> Inspection:
    """What intake reads in `raw`; never raises.

    `details` adds what the bot also uses but the evaluation format leaves out: bounce
    recipients and permanence, and the evidence behind `automated`.
    """
    try:
        return _inspect(raw, path, our_domain, details)
    except Exception as exc:  # a bug of ours must not stop a batch: report it in `error`
        return Inspection({**_empty(path), "error": _internal(exc)})


def _empty(path: str) -> dict[str, Any]:
    return {
        "path": path,
        "message_id": None,
        "from": "",
        "subject": "",
        "automated": None,
        "body": "",
        "attachments": [],
        "error": None,
    }


def _internal(exc: Exception) -> dict[str, str]:
    return {"kind": "internal", "detail": f"{type(exc).__name__}: {exc}"[:300]}


def _inspect(raw: bytes, path: str, our_domain: str, details: bool) -> Inspection:
    result = _empty(path)
    try:
        parsed = parse_email(raw, our_domain=our_domain)
    except SenderError as exc:
        result["error"] = {"kind": str(exc.reason), "detail": exc.detail}
        _fill_from_headers(result, raw)
        return Inspection(result)
    except Exception as exc:  # parse_email promises SenderError; belt and braces
        result["error"] = _internal(exc)
        _fill_from_headers(result, raw)
        return Inspection(result)
    result.update(
        message_id=parsed.message_id,
        subject=parsed.subject,
        automated=None if parsed.automated is None else str(parsed.automated),
        body=parsed.body,
        attachments=[
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in parsed.attachments
        ],
    )
    result["from"] = parsed.sender
    if details:
        result["automated_evidence"] = parsed.automated_evidence
        result["bounce"] = (
            None
            if parsed.bounce is None
            else {
                "recipients": list(parsed.bounce.recipients),
                "permanent": parsed.bounce.permanent,
                "status": parsed.bounce.status,
            }
        )
    return Inspection(result, parsed)


def _fill_from_headers(result: dict[str, Any], raw: bytes) -> None:
    """Whatever the headers still tell about a message we could not parse."""
    headers = read_headers(raw)
    if headers is None:
        return
    result["message_id"] = one_message_id(headers.get("message-id"))
    result["from"] = first_address(headers.raw("from"))[1]
    result["subject"] = headers.get("subject")
