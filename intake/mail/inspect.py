"""`inspect-email`: one JSON object per message file, for people and for evaluation.

`inspect_file` never fails on bad mail: the reason goes in `error` (the same typed reason the
bot quarantines with). Only an unreadable path raises (OSError).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from intake.errors import SenderError
from intake.mail.headers import first_address, one_message_id
from intake.mail.parse import parse_email, read_headers
from intake.mail.thread import ThreadRef, find_thread, ticket_in_subject
from nlp.language import detect_language


def inspect_file(path: Path, *, our_domain: str = "", details: bool = False) -> dict[str, Any]:
    """The JSON-ready summary of one message file. Raises OSError only if it cannot be read.

    `details` adds what the bot also uses but the evaluation format leaves out: bounce
    recipients and permanence, and the evidence behind `automated`.
    """
    raw = Path(path).read_bytes()
    return inspect_bytes(raw, path=str(path), our_domain=our_domain, details=details)


def inspect_bytes(
    raw: bytes, *, path: str = "", our_domain: str = "", details: bool = False
) -> dict[str, Any]:
    """`inspect_file` for bytes already in hand; never raises."""
    try:
        result: dict[str, Any] = _scrub(_inspect(raw, path, our_domain, details))
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


def _inspect(raw: bytes, path: str, our_domain: str, details: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "path": path,
        "message_id": None,
        "from": "",
        "subject": "",
        "language": None,
        "automated": None,
        "body": "",
        "attachments": [],
        "thread": {"ticket": None, "reason": None},
        "error": None,
    }
    try:
        parsed = parse_email(raw, our_domain=our_domain)
    except SenderError as exc:
        result["error"] = {"kind": str(exc.reason), "detail": exc.detail}
        _fill_from_headers(result, raw)
        return result
    except Exception as exc:  # parse_email promises SenderError; belt and braces
        result["error"] = {"kind": "internal", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        _fill_from_headers(result, raw)
        return result
    thread: ThreadRef = find_thread(parsed, None)
    text = parsed.body or parsed.full_text or parsed.subject
    result.update(
        message_id=parsed.message_id,
        subject=parsed.subject,
        language=str(detect_language(f"{parsed.subject}\n{text}")),
        automated=None if parsed.automated is None else str(parsed.automated),
        body=parsed.body,
        attachments=[
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in parsed.attachments
        ],
        thread={"ticket": thread.ticket, "reason": thread.reason},
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
    return result


def _scrub(value: Any) -> Any:
    """No lone surrogates (undecodable bytes) reach the JSON: printing them would raise."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _fill_from_headers(result: dict[str, Any], raw: bytes) -> None:
    """Whatever the headers still tell about a message we could not parse."""
    headers = read_headers(raw)
    if headers is None:
        return
    result["message_id"] = one_message_id(headers.get("message-id"))
    result["from"] = first_address(headers.raw("from"))[1]
    result["subject"] = headers.get("subject")
    ticket = ticket_in_subject(result["subject"])
    if ticket:
        result["thread"] = {"ticket": ticket, "reason": "subject_tag"}


def main(argv: list[str]) -> int:
    """Print one JSON line per path; 2 when a path could not be read, else 0.

    `--details` adds bounce details; `--domain D` names our Message-ID domain (loop detection).
    """
    details = "--details" in argv
    args = [arg for arg in argv if arg != "--details"]
    domain = ""
    if "--domain" in args:
        at = args.index("--domain")
        domain = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
    return print_inspections(args, domain=domain, details=details)


def print_inspections(paths: list[str], *, domain: str, details: bool) -> int:
    """One JSON line per path on standard output; 2 when a path could not be read, else 0."""
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


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
