"""The JSON Lines contract that `python -m bot triage --jsonl` relies on."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.jsonl import triage_jsonl

KEYS = {"id", "kind", "severity", "level", "team", "language", "confidence", "evidence", "model"}
FACTORS = {"scope", "impact", "mission", "workaround", "service", "kind", "team", "level"}


def line(**kw: object) -> str:
    return json.dumps(kw, ensure_ascii=False)


def test_contract_and_order(model: object) -> None:
    lines = [
        line(id="1", subject="VPN", text="Le VPN est down pour tout le monde", channel="chat"),
        "{not json",
        line(id="2", subject="", text="how do I add a signature in Outlook?", channel="email"),
        line(id="3", subject="x", text="y", channel="fax"),
        line(id=4, subject="Panne", text="Le portail citoyen est en panne.", channel="email"),
        line(subject="no id", text="hello", channel="chat"),
        "[1, 2]",
    ]
    out = [json.loads(o) for o in triage_jsonl(lines)]
    assert len(out) == len(lines)
    assert [o.get("id") for o in out] == ["1", None, "2", "3", 4, None, None]
    for o, ok in zip(out, [True, False, True, False, True, False, False], strict=True):
        if not ok:
            assert set(o) == {"id", "error"} and o["error"]
            continue
        assert set(o) == KEYS
        assert set(o["confidence"]) == {"kind", "severity", "level", "team"}
        assert (o["severity"] is None) == (o["confidence"]["severity"] is None)
        assert (o["severity"] is None) == (o["kind"] != "incident")
        for ev in o["evidence"]:
            assert set(ev) == {"factor", "label", "text"} and ev["factor"] in FACTORS
        assert o["language"] in ("fr", "en")
        assert o["level"] in ("N1", "N2", "N3")
    assert out[2]["kind"] == "question" and out[2]["language"] == "en"


def test_batches_keep_order(model: object) -> None:
    texts = [
        f"Mon poste numéro {i} gèle" if i % 2 else f"how do I print page {i}?" for i in range(1100)
    ]
    lines = [line(id=i, subject="", text=t, channel="chat") for i, t in enumerate(texts)]
    out = [json.loads(o) for o in triage_jsonl(lines)]
    assert [o["id"] for o in out] == list(range(1100))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=8))
def test_any_input_gives_one_line_each(model: object, raw: list[str]) -> None:
    lines = [r.replace("\n", " ") for r in raw]
    out = list(triage_jsonl(lines))
    assert len(out) == len(lines)
    for o in out:
        json.loads(o)


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=300), st.sampled_from(["email", "chat"]))
def test_any_text_is_triaged(model: object, text: str, channel: str) -> None:
    (o,) = (
        json.loads(x) for x in triage_jsonl([line(id="x", subject="", text=text, channel=channel)])
    )
    assert o["id"] == "x"
    assert "error" in o or set(o) == KEYS
