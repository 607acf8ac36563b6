"""`inspect-email`: one JSON object per message file, for people and for evaluation.

What intake reads (`intake.mail.inspect`) plus what the bot makes of it: the language the
requester would be answered in, and the ticket the mail threads to (`bot.tickets.thread`,
without a domain: any Message-ID of our shape counts). `inspect_bytes` never fails on bad
mail: the reason goes in `error`. Only an unreadable path raises (OSError).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bot.tickets.thread import ThreadRef, find_thread, ticket_in_subject
from intake.mail.inspect import Inspection, inspect_mail
from nlp.language import detect_language

FORMAT = (
    "path",
    "message_id",
    "from",
    "subject",
    "language",
    "automated",
    "body",
    "attachments",
    "thread",
    "error",
)
"""The evaluation format's keys, in the order they are printed (`--details` adds more after)."""


def inspect_file(path: Path, *, our_domain: str = "", details: bool = False) -> dict[str, Any]:
    """The JSON-ready summary of one message file. Raises OSError only if it cannot be read."""
    raw = Path(path).read_bytes()
    return inspect_bytes(raw, path=str(path), our_domain=our_domain, details=details)


def inspect_bytes(
    raw: bytes, *, path: str = "", our_domain: str = "", details: bool = False
) -> dict[str, Any]:
    """`inspect_file` for bytes already in hand; never raises."""
    try:
        inspection = inspect_mail(raw, path=path, our_domain=our_domain, details=details)
        result: dict[str, Any] = _scrub(_record(inspection))
    except Exception as exc:  # a bug of ours must not stop a batch: report it in `error`
        result = {
            "path": path,
            "message_id": None,
            "from": "",
            "subject": "",
            "language": None,
            "automated": None,
            "body": "",
            "attachments": [],
            "thread": {"ticket": None, "reason": None},
            "error": {"kind": "internal", "detail": f"{type(exc).__name__}: {exc}"[:300]},
        }
    return result


def _record(inspection: Inspection) -> dict[str, Any]:
    """Intake's fields with the language and the thread, in the order of `FORMAT`."""
    fields, parsed = inspection.fields, inspection.parsed
    language: str | None = None
    if parsed is not None:
        thread = find_thread(parsed, None)
        text = parsed.body or parsed.full_text or parsed.subject
        language = str(detect_language(f"{parsed.subject}\n{text}"))
    elif ticket := ticket_in_subject(fields["subject"]):
        thread = ThreadRef(ticket, "subject_tag")
    else:
        thread = ThreadRef(None, None)
    added = {"language": language, "thread": {"ticket": thread.ticket, "reason": thread.reason}}
    record = {**fields, **added}
    return {key: record[key] for key in FORMAT} | {
        key: value for key, value in record.items() if key not in FORMAT
    }


def _scrub(value: Any) -> Any:
    """No lone surrogates (undecodable bytes) reach the JSON: printing them would raise."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def print_inspections(paths: list[str], *, domain: str, details: bool) -> int:
    """One JSON line per path on standard output; 2 when a path could not be read, else 0.

    `domain` names our Message-ID domain (loop detection); `details` adds bounce details.
    """
    status = 0
    for name in paths:
        try:
            result = inspect_file(Path(name), our_domain=domain, details=details)
        except OSError as exc:
            print(f"{name}: cannot read it ({exc.strerror or exc})", file=sys.stderr)
            status = 2
            continue
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return status
