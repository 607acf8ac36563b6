"""Evaluate the model against a TF-IDF + logistic-regression baseline: `python -m nlp.evaluate`.

Both are trained on the same train split; figures are given on the generated test split and on
the hand-written set (`--split`). Severity is scored on gold incidents only; a severity of None
(the message was not seen as an incident) counts as a miss.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from nlp.clean import compose
from nlp.corpus import read_split
from nlp.pipeline import TASKS
from nlp.triage import TriageInput, triage_batch

SEVERITIES = ("P1", "P2", "P3", "P4", "P5")
SETS = (
    "dev",
    "test",
    "handwritten",
    "handwritten2",
    "handwritten3",
    "handwritten4",
    "handwritten5",
)
Preds = dict[str, list[str | None]]


def prf(
    gold: Sequence[str | None], pred: Sequence[str | None], labels: Sequence[str]
) -> dict[str, tuple[float, float, float, int]]:
    out = {}
    for lb in labels:
        tp = sum(g == lb and p == lb for g, p in zip(gold, pred, strict=True))
        n_pred = sum(p == lb for p in pred)
        n_gold = sum(g == lb for g in gold)
        pr = tp / n_pred if n_pred else 0.0
        rc = tp / n_gold if n_gold else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        out[lb] = (pr, rc, f1, n_gold)
    return out


def summary(rows: list[dict[str, Any]], preds: Preds) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for task, labels in TASKS.items():
        gold = [r[task] for r in rows]
        res[task] = {
            "accuracy": sum(g == p for g, p in zip(gold, preds[task], strict=True)) / len(gold),
            "per_label": prf(gold, preds[task], labels),
        }
    inc = [i for i, r in enumerate(rows) if r["kind"] == "incident"]
    gold_s = [rows[i]["severity"] for i in inc]
    pred_s = [preds["severity"][i] for i in inc]
    per = prf(gold_s, pred_s, SEVERITIES)
    present = [lb for lb in SEVERITIES if per[lb][3]]
    high = [i for i, g in enumerate(gold_s) if g in ("P1", "P2")]
    rank = {lb: n for n, lb in enumerate(SEVERITIES)}
    res["severity"] = {
        "macro_f1": sum(per[lb][2] for lb in present) / max(1, len(present)),
        "per_label": per,
        "p1p2_recall": sum(pred_s[i] in ("P1", "P2") for i in high) / max(1, len(high)),
        "within_one": sum(
            p is not None and abs(rank[p] - rank[g]) <= 1
            for g, p in zip(gold_s, pred_s, strict=True)
        )
        / max(1, len(gold_s)),
        "confusion": Counter(zip(gold_s, pred_s, strict=True)),
        "n": len(gold_s),
    }
    return res


def model_preds(rows: list[dict[str, Any]]) -> Preds:
    out = triage_batch([TriageInput(r["subject"], r["text"]) for r in rows])
    preds: Preds = {task: [getattr(t, task).value for t in out] for task in TASKS}
    preds["severity"] = [t.severity.value if t.severity else None for t in out]
    return preds


def baseline_preds(train: list[dict[str, Any]], rows: list[dict[str, Any]]) -> Preds:
    """TF-IDF (word 1–2-grams + character 2–5-grams) and logistic regression, one per task."""

    def text(r: dict[str, Any]) -> str:
        return compose(r["subject"], r["text"]).lower()

    def fit(xs: list[dict[str, Any]], task: str) -> Any:
        feats = FeatureUnion(
            [
                ("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "c",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                    ),
                ),
            ]
        )
        model = make_pipeline(feats, LogisticRegression(max_iter=2000, C=10.0))
        return model.fit([text(r) for r in xs], [r[task] for r in xs])

    x = [text(r) for r in rows]
    preds: Preds = {task: list(fit(train, task).predict(x)) for task in TASKS}
    sev = fit([r for r in train if r["kind"] == "incident"], "severity").predict(x)
    preds["severity"] = [
        s if k == "incident" else None for s, k in zip(sev, preds["kind"], strict=True)
    ]
    return preds


def report(name: str, model: dict[str, Any], base: dict[str, Any]) -> None:
    print(f"\n=== {name} ===")
    print(f"{'figure':<34}{'model':>8}{'baseline':>10}")
    for task in TASKS:
        m, b = model[task]["accuracy"], base[task]["accuracy"]
        print(f"{task + ' accuracy':<34}{m:>8.3f}{b:>10.3f}")
    for key in ("macro_f1", "p1p2_recall", "within_one"):
        m, b = model["severity"][key], base["severity"][key]
        print(f"{'severity ' + key:<34}{m:>8.3f}{b:>10.3f}")
    print(f"(severity on {model['severity']['n']} gold incidents)")
    for task in (*TASKS, "severity"):
        print(f"\n{task}: per label  precision / recall / F1 (support) — model | baseline")
        for lb, (p, r, f, n) in model[task]["per_label"].items():
            bp, br, bf, _ = base[task]["per_label"][lb]
            print(
                f"  {lb:<14}{p:.2f} / {r:.2f} / {f:.2f} ({n:>3})  |  {bp:.2f} / {br:.2f} / {bf:.2f}"
            )
    for label, res in (("model", model), ("baseline", base)):
        conf = res["severity"]["confusion"]
        cols = [*SEVERITIES, None]
        print(f"\nseverity confusion ({label}; rows gold, columns predicted, '-' = no severity)")
        print("      " + "".join(f"{c or '-':>5}" for c in cols))
        for g in SEVERITIES:
            print(f"  {g:<4}" + "".join(f"{conf.get((g, c), 0):>5}" for c in cols))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", action="append", choices=SETS)
    args = parser.parse_args()
    train = read_split("train")
    for split in args.split or SETS[1:]:
        try:
            rows = read_split(split)
        except FileNotFoundError:
            print(f"(no {split} set)")
            continue
        report(
            f"{split} ({len(rows)} messages)",
            summary(rows, model_preds(rows)),
            summary(rows, baseline_preds(train, rows)),
        )


if __name__ == "__main__":
    main()
