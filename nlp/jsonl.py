"""JSON Lines in, JSON Lines out: the contract behind `python -m bot triage --jsonl FILE`.

Input, one object a line: {"id", "subject", "text", "channel"} (channel "email" or "chat").
Output, one line per input line, same order:
{"id", "kind", "severity", "level", "team", "language",
 "confidence": {"kind", "severity", "level", "team"},
 "evidence": [{"factor", "label", "text"}], "model"}.
A line that cannot be read gives {"id", "error"} (id null when unknown) and the rest go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from nlp.labels import Channel
from nlp.triage import Triage, TriageInput, triage_batch

BATCH_SIZE = 512


class BadLineError(ValueError):
    """The sender's fault: the line is not a valid triage request."""

    def __init__(self, message: str, line_id: Any = None) -> None:
        super().__init__(message)
        self.line_id = line_id


def parse_line(line: str) -> tuple[Any, TriageInput]:
    """Return (id, input) or raise BadLineError."""
    if not line.strip():
        raise BadLineError("empty line")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLineError(f"invalid JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise BadLineError("a line must be a JSON object")
    line_id = obj.get("id")
    if line_id is None or isinstance(line_id, (dict, list, bool)):
        raise BadLineError("missing or invalid id", line_id if isinstance(line_id, str) else None)
    subject = obj.get("subject") or ""
    text = obj.get("text")
    if not isinstance(subject, str):
        raise BadLineError("subject must be a string", line_id)
    if not isinstance(text, str):
        raise BadLineError("missing or invalid text", line_id)
    if not (subject.strip() or text.strip()):
        raise BadLineError("empty message", line_id)
    channel = obj.get("channel", "email")
    if channel not in (Channel.EMAIL.value, Channel.CHAT.value):
        raise BadLineError('channel must be "email" or "chat"', line_id)
    return line_id, TriageInput(subject, text, Channel(channel))


def to_record(line_id: Any, t: Triage) -> dict[str, Any]:
    """The output object for one triaged message (exactly the documented keys)."""
    return {
        "id": line_id,
        "kind": t.kind.value if t.kind else None,
        "severity": t.severity.value if t.severity else None,
        "level": t.level.value if t.level else None,
        "team": t.team.value if t.team else None,
        "language": t.language.value,
        "confidence": {
            "kind": t.confidence.kind,
            "severity": t.confidence.severity if t.severity else None,
            "level": t.confidence.level,
            "team": t.confidence.team,
        },
        "evidence": [{"factor": e.factor, "label": e.label, "text": e.text} for e in t.evidence],
        "model": t.model,
    }


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _run(batch: list[str]) -> list[str]:
    parsed: list[tuple[Any, TriageInput] | BadLineError] = []
    for line in batch:
        try:
            parsed.append(parse_line(line))
        except BadLineError as exc:
            parsed.append(exc)
    good = [p for p in parsed if not isinstance(p, BadLineError)]
    try:
        results = triage_batch([inp for _, inp in good])
    except Exception:  # one poison message must not sink its batch: retry one by one
        results = []
        for _, inp in good:
            try:
                results.append(triage_batch([inp])[0])
            except Exception as exc:
                results.append(exc)  # type: ignore[arg-type]
    out: list[str] = []
    it = iter(zip(good, results, strict=True))
    for p in parsed:
        if isinstance(p, BadLineError):
            out.append(_dump({"id": p.line_id, "error": str(p)}))
            continue
        (line_id, _), result = next(it)
        if isinstance(result, Exception):
            out.append(_dump({"id": line_id, "error": f"triage failed: {type(result).__name__}"}))
        else:
            out.append(_dump(to_record(line_id, result)))
    return out


def triage_jsonl(lines: Iterable[str]) -> Iterator[str]:
    """Triage JSON Lines in batches; yield one output line (no newline) per input line."""
    source = iter(lines)
    while batch := list(islice(source, BATCH_SIZE)):
        yield from _run([line.rstrip("\r\n") for line in batch])
