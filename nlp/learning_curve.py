"""What agents' corrections are worth: `python -m nlp.learning_curve [--epochs N] [--sizes ...]`.

The corrections pool (`nlp/data/corrections-pool.jsonl`, in the format `bot corrections export`
writes) stands for corrections agents exported. A seeded split holds 60 of them out for scoring;
the rest are candidates. For each k, a model is trained on `training_rows()` plus the first k
candidates (thresholds on `dev_rows()`), written to a temporary folder (never to nlp/model/),
and scored on the 60 held out and on the frozen set. Prints one table and the gain over k=0.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from nlp.corpus import dev_rows, frozen, named_set, training_rows
from nlp.evaluate import model_preds, summary

SEED = 20251205
HELD_OUT = 60
FIGURES = (
    ("sev F1", "severity", "macro_f1"),
    ("P1P2 rec", "severity", "p1p2_recall"),
    ("kind", "kind", "accuracy"),
    ("team", "team", "accuracy"),
    ("level", "level", "accuracy"),
)


def split_pool(
    pool: list[dict[str, Any]], held_out: int = HELD_OUT, seed: int = SEED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Seeded shuffle: the first `held_out` rows are scored on, the rest are candidates."""
    if len(pool) <= held_out:
        raise ValueError(
            f"the corrections pool has {len(pool)} messages: more than the {held_out} held out "
            "are needed; add corrections or lower the held-out count"
        )
    order = list(pool)
    random.Random(seed).shuffle(order)
    return order[:held_out], order[held_out:]


def figures(res: dict[str, Any]) -> list[float]:
    return [float(res[task][key]) for _, task, key in FIGURES]


Rows = list[dict[str, Any]]


def point(train: Rows, dev: Rows, sets: dict[str, Rows], epochs: int) -> dict[str, list[float]]:
    """Train on `train` (thresholds on `dev`) in a temporary folder; score on each set."""
    from nlp.model import load
    from nlp.train import build

    with tempfile.TemporaryDirectory(prefix="guichet-curve-") as tmp:
        out = Path(tmp) / f"model-{len(train)}"
        build(train, dev, out, epochs)
        model = load(out)
        return {
            name: figures(summary(rows, model_preds(rows, model))) for name, rows in sets.items()
        }


def table(points: dict[int, dict[str, list[float]]], names: list[str]) -> str:
    """One block per scored set: a row per k, its figures and (after the bar) the gain over
    k=0 when k=0 was run."""
    heads = " ".join(f"{h:>8}" for h, _, _ in FIGURES)
    base = points.get(0)
    lines = []
    for name in names:
        lines.append(f"\n{name}")
        lines.append(f"{'k':>5} {heads} | gain over k=0")
        for k, scores in points.items():
            row = f"{k:>5} " + " ".join(f"{v:>8.3f}" for v in scores[name])
            if base is not None and k:
                row += " | " + " ".join(
                    f"{v - b:>+8.3f}" for v, b in zip(scores[name], base[name], strict=True)
                )
            lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=12, help="passes over the data (12)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the points to FILE")
    parser.add_argument(
        "--sizes", default="0,50,100,200", help="corrections added, comma-separated (0,50,100,200)"
    )
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    held, candidates = split_pool(named_set("corrections-pool"))
    too_many = [k for k in sizes if k > len(candidates) or k < 0]
    if too_many:
        parser.error(
            f"--sizes {too_many}: between 0 and {len(candidates)} corrections can be added"
        )
    # Read once: every point trains on the same base, even if the corpus files change meanwhile.
    base, dev = training_rows(), dev_rows()
    training_rows(extra=candidates)  # refuses any candidate that is in the frozen set
    sets = {"held-out": held, "frozen": frozen()}
    points: dict[int, dict[str, list[float]]] = {}
    for k in sizes:
        points[k] = point([*base, *candidates[:k]], dev, sets, args.epochs)
        print(
            f"\nk={k} done: trained on {len(base)} + {k}, scored on {len(held)} held out and "
            f"{len(sets['frozen'])} frozen",
            flush=True,
        )
    print(f"\nlearning curve, {args.epochs} epochs, split seed {SEED}" + table(points, list(sets)))
    if args.json is not None:
        heads = [f"{task}_{key}" for _, task, key in FIGURES]
        data = {
            "epochs": args.epochs,
            "seed": SEED,
            "base_train_size": len(base),
            "points": {
                str(k): {n: dict(zip(heads, v, strict=True)) for n, v in by_set.items()}
                for k, by_set in points.items()
            },
        }
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
