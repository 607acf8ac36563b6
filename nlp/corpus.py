"""Reading the labelled corpus (training and evaluation only; never imported at run time)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
SPLITS = ("train", "dev", "test")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_split(name: str) -> list[dict[str, Any]]:
    """One split of the generated corpus, or "handwritten"/"handwritten2" (freely written)."""
    if name.startswith("handwritten"):
        return read_jsonl(DATA_DIR / f"{name}.jsonl")
    return read_jsonl(DATA_DIR / f"corpus.{name}.jsonl")
