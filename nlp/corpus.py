"""Reading the labelled data (training and evaluation only; never imported at run time).

Four families, kept apart on purpose:
- `corpus.{train,dev,test}.jsonl`: generated from seeds and blocks (`nlp.data.make_corpus`);
- `authored/*.jsonl`: written message by message in users' registers, with factor labels; a
  stable hash of each id sends 15 % of them to dev (thresholds, tuning) and the rest to train;
- `frozen/*.jsonl`: written from the guide alone before any tuning on it. It is only ever
  scored: nothing here feeds rules or training, and `training_rows()` refuses it;
- `tuned/*.jsonl`: sets that were frozen until their one blind score, tuned and trained on since;
- `corrections-pool.jsonl`: stands for agents' exported corrections (the learning curve).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
AUTHORED_DIR = DATA_DIR / "authored"
FROZEN_DIR = DATA_DIR / "frozen"
TUNED_DIR = DATA_DIR / "tuned"
CORRECTIONS_POOL = DATA_DIR / "corrections-pool.jsonl"
SPLITS = ("train", "dev", "test")
DEV_SHARE = 15  # percent of the authored messages held out for dev


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_split(name: str) -> list[dict[str, Any]]:
    """One split of the generated corpus, or "handwritten"/"handwritten2" (freely written)."""
    if name.startswith("handwritten"):
        return read_jsonl(DATA_DIR / f"{name}.jsonl")
    return read_jsonl(DATA_DIR / f"corpus.{name}.jsonl")


def _in_dev(row_id: str) -> bool:
    return int(hashlib.sha256(row_id.encode()).hexdigest()[:8], 16) % 100 < DEV_SHARE


def authored(part: str) -> list[dict[str, Any]]:
    """The authored messages of `part` ("train" or "dev"), in file order."""
    rows = [r for path in sorted(AUTHORED_DIR.glob("*.jsonl")) for r in read_jsonl(path)]
    return [r for r in rows if _in_dev(r["id"]) == (part == "dev")]


def frozen(part: str = "") -> list[dict[str, Any]]:
    """The frozen blind set (or its part written as `blind-{part}*.jsonl`): for scoring only."""
    pattern = f"blind-{part}*.jsonl" if part else "*.jsonl"
    return [r for path in sorted(FROZEN_DIR.glob(pattern)) for r in read_jsonl(path)]


def tuned() -> list[dict[str, Any]]:
    """The former blind sets (`tuned/*.jsonl`): scored blind once, trained on since."""
    return [r for path in sorted(TUNED_DIR.glob("*.jsonl")) for r in read_jsonl(path)]


def training_rows(extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Generated train split + authored train part + the former blind sets (+ `extra`, e.g.
    agents' corrections). Trained on together since triage v4: each former blind set, added to
    the others, raised the figures of the one left out (cross-checked on E and F)."""
    rows = [*read_split("train"), *authored("train"), *tuned(), *(extra or [])]
    frozen_ids = {r["id"] for r in frozen()}
    leaked = [r["id"] for r in rows if r.get("id") in frozen_ids]
    if leaked:
        raise ValueError(f"frozen messages must never be trained on: {leaked[:5]}")
    return rows


def dev_rows() -> list[dict[str, Any]]:
    """Generated dev split + authored dev part: thresholds and tuning."""
    return [*read_split("dev"), *authored("dev")]


def named_set(name: str) -> list[dict[str, Any]]:
    """A set by name: a generated split, a hand-written set, "authored-dev", "frozen" or one of
    its parts ("frozen-g"), a tuned former blind set ("blind-e", "blind-f"), "corrections-pool"."""
    if name == "frozen":
        return frozen()
    if name.startswith("frozen-"):
        return frozen(name.removeprefix("frozen-"))
    if name.startswith("blind-"):
        paths = sorted(TUNED_DIR.glob(f"{name}*.jsonl"))
        if not paths:
            raise FileNotFoundError(TUNED_DIR / f"{name}*.jsonl")
        return [r for path in paths for r in read_jsonl(path)]
    if name == "authored-dev":
        return authored("dev")
    if name == "corrections-pool":
        return read_jsonl(CORRECTIONS_POOL)
    return read_split(name)
