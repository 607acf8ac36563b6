"""Score the model against a TF-IDF + logistic-regression baseline: `python -m nlp.evaluate`.

The baseline is fitted once per run on `training_rows()`, the data the model trains on. For
each set: kind/team/level accuracy, severity macro-F1, P1+P2 recall and within-one (severity on
gold incidents only; a missing severity is a miss), per-label precision/recall/F1, the severity
confusion, a calibration table per task (with the expected calibration error), the "à confirmer"
count and the precision of the auto-applied labels. `--json FILE` writes every figure.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.clean import compose
from nlp.corpus import named_set, training_rows
from nlp.labels import TASKS, Channel

if TYPE_CHECKING:
    from nlp.model import Model

SEVERITIES = ("P1", "P2", "P3", "P4", "P5")
HIGH = ("P1", "P2")
ALL_TASKS = (*TASKS, "severity")
SET_HELP = {
    "frozen": "FROZEN blind set (nlp/data/frozen/): written from the guide alone before any "
    "tuning; only ever scored, never trained or tuned on. Always scored first.",
    "blind-g": "blind set G (480): frozen until its one blind score (2026-12-07, on v4); tuned "
    "on since.",
    "blind-h": "blind set H (480): frozen until its one blind score (2026-12-07, on v5); tuned "
    "on since.",
    "blind-i": "blind set I (480): frozen until its one blind score (2026-12-07, on v5.1); tuned "
    "on since.",
    "frozen-j": "part J of the frozen set (480, three writers, written 2026-12-07 from the guide "
    "alone while triage v5 was built; scored once, on v5.2 as committed).",
    "blind-e": "blind set E (320): frozen until its one blind score (2026-12-06); tuned on, "
    "then trained on (v4): its figures are training figures.",
    "blind-f": "blind set F (480): frozen until its one blind score (2026-12-07); trained on "
    "since (v4): its figures are training figures.",
    "authored-dev": "the 15 % of the authored messages held out (by id hash) for thresholds "
    "and tuning: not blind.",
    "corrections-pool": "stands for agents' exported corrections; nlp.train does not read it "
    "(nlp.learning_curve trains on part of it).",
    "test": "generated test split: shares sentence blocks with train, so it flatters.",
    "handwritten": "hand-written set 1 (108); blind only at its first run, tuned on since.",
    "handwritten2": "hand-written set 2 (45); idem.",
    "handwritten3": "hand-written set 3 (41); idem.",
    "handwritten4": "hand-written set 4 (36); idem.",
    "handwritten5": "hand-written set 5 (35); idem.",
}
SETS = tuple(SET_HELP)
FROZEN_TITLE = "FROZEN blind set — never tuned on"
EDGES = (0.5, 0.6, 0.7, 0.8, 0.9)
BIN_NAMES = ("<0.5", "[0.5,0.6)", "[0.6,0.7)", "[0.7,0.8)", "[0.8,0.9)", "[0.9,1.0]")


@dataclass(frozen=True, slots=True)
class Predictions:
    """Per task (kind, team, level, severity), one label (or None) and one confidence per row;
    the model also says which severities are to confirm and which labels it would auto-apply."""

    labels: dict[str, list[str | None]]
    confidence: dict[str, list[float | None]] = field(default_factory=dict)
    to_confirm: list[bool] | None = None
    auto_apply: dict[str, list[bool]] | None = None


def prf(
    gold: Sequence[str | None], pred: Sequence[str | None], labels: Sequence[str]
) -> dict[str, tuple[float, float, float, int]]:
    """Per label: precision, recall, F1, gold support."""
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


def _per_label(figures: dict[str, tuple[float, float, float, int]]) -> dict[str, dict[str, Any]]:
    return {
        lb: {"precision": p, "recall": r, "f1": f, "support": n}
        for lb, (p, r, f, n) in figures.items()
    }


def calibration(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """(confidence, correct) pairs binned as <0.5, [0.5,0.6) … [0.9,1.0]: count, mean
    confidence, accuracy per bin, and the expected calibration error (the bins' gap between
    accuracy and mean confidence, weighted by their share of the pairs)."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in BIN_NAMES]
    for conf, ok in pairs:
        groups[sum(conf >= e for e in EDGES)].append((conf, ok))
    bins = []
    ece = 0.0
    for name, group in zip(BIN_NAMES, groups, strict=True):
        mean = sum(c for c, _ in group) / len(group) if group else None
        acc = sum(ok for _, ok in group) / len(group) if group else None
        if mean is not None and acc is not None:
            ece += len(group) / len(pairs) * abs(acc - mean)
        bins.append({"bin": name, "count": len(group), "mean_confidence": mean, "accuracy": acc})
    return {"n": len(pairs), "bins": bins, "ece": ece if pairs else None}


def _gold(row: dict[str, Any], task: str) -> str | None:
    return row.get(task) if task == "severity" else row[task]


def summary(rows: list[dict[str, Any]], preds: Predictions) -> dict[str, Any]:
    """Every figure of one set for one predictor, JSON-ready."""
    labels = preds.labels
    res: dict[str, Any] = {}
    for task, names in TASKS.items():
        gold = [r[task] for r in rows]
        res[task] = {
            "accuracy": sum(g == p for g, p in zip(gold, labels[task], strict=True)) / len(gold),
            "per_label": _per_label(prf(gold, labels[task], names)),
        }
    inc = [i for i, r in enumerate(rows) if r["kind"] == "incident"]
    gold_s = [rows[i]["severity"] for i in inc]
    pred_s = [labels["severity"][i] for i in inc]
    per = prf(gold_s, pred_s, SEVERITIES)
    present = [lb for lb in SEVERITIES if per[lb][3]]
    high = [i for i, g in enumerate(gold_s) if g in HIGH]
    rank = {lb: n for n, lb in enumerate(SEVERITIES)}
    confusion = {g: {p or "-": 0 for p in (*SEVERITIES, None)} for g in SEVERITIES}
    for g, p in zip(gold_s, pred_s, strict=True):
        if g in confusion:
            confusion[g][p or "-"] += 1
    res["severity"] = {
        "n": len(gold_s),
        "macro_f1": sum(per[lb][2] for lb in present) / max(1, len(present)),
        "p1p2_recall": sum(pred_s[i] in HIGH for i in high) / max(1, len(high)),
        "within_one": sum(
            p is not None and abs(rank[p] - rank[g]) <= 1
            for g, p in zip(gold_s, pred_s, strict=True)
        )
        / max(1, len(gold_s)),
        "per_label": _per_label(per),
        "confusion": confusion,
    }
    res["calibration"] = {}
    for task in ALL_TASKS:
        confs = preds.confidence.get(task, [None] * len(rows))
        res["calibration"][task] = calibration(
            [
                (c, p == _gold(r, task))
                for r, p, c in zip(rows, labels[task], confs, strict=True)
                if p is not None and c is not None
            ]
        )
    if preds.to_confirm is not None:
        flagged = [
            r for r, p, t in zip(rows, labels["severity"], preds.to_confirm, strict=True) if p and t
        ]
        res["to_confirm"] = {
            "proposals": sum(p is not None for p in labels["severity"]),
            "to_confirm": len(flagged),
            "gold_p1p2": sum(r.get("severity") in HIGH for r in flagged),
        }
    if preds.auto_apply is not None:
        res["auto_apply"] = {}
        for task in ALL_TASKS:
            applied = [
                p == _gold(r, task)
                for r, p, a in zip(rows, labels[task], preds.auto_apply[task], strict=True)
                if p is not None and a
            ]
            res["auto_apply"][task] = {
                "proposals": sum(p is not None for p in labels[task]),
                "applied": len(applied),
                "correct": sum(applied),
                "precision": sum(applied) / len(applied) if applied else None,
            }
    return res


def model_preds(rows: list[dict[str, Any]], model: Model | None = None) -> Predictions:
    """The triage model's proposals (the shipped model unless `model` is given)."""
    from nlp.triage import TriageInput, triage_batch

    items = [
        TriageInput(r["subject"], r["text"], Channel(r.get("channel") or "email")) for r in rows
    ]
    out = triage_batch(items, model=model)
    labels: dict[str, list[str | None]] = {}
    confidence: dict[str, list[float | None]] = {}
    for task in ALL_TASKS:
        values = [getattr(t, task) for t in out]
        labels[task] = [v.value if v is not None else None for v in values]
        confidence[task] = [getattr(t.confidence, task) for t in out]
    auto = {task: [bool(t.auto_apply.get(task, False)) for t in out] for task in ALL_TASKS}
    return Predictions(labels, confidence, [t.to_confirm for t in out], auto)


def _text(r: dict[str, Any]) -> str:
    return compose(r["subject"], r["text"]).lower()


class Baseline:
    """TF-IDF (word 1–2-grams + character 2–5-grams, fitted once on the training text) and one
    L2 logistic regression per task (C=10, saga solver to tol 1e-3: about ten times faster than
    lbfgs to the same objective, within a few points of probability); severity is fitted on the
    incidents and proposed when the baseline's kind is incident."""

    def __init__(self, train: list[dict[str, Any]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        self.train_size = len(train)
        self.features = FeatureUnion(
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
        x = self.features.fit_transform([_text(r) for r in train])
        self.models = {task: self._fit(x, [r[task] for r in train]) for task in TASKS}
        incidents = [
            i for i, r in enumerate(train) if r["kind"] == "incident" and r.get("severity")
        ]
        self.models["severity"] = self._fit(x[incidents], [train[i]["severity"] for i in incidents])

    @staticmethod
    def _fit(x: Any, y: list[str]) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=10.0, solver="saga", tol=1e-3, max_iter=2000).fit(x, y)

    def predict(self, rows: list[dict[str, Any]]) -> Predictions:
        x = self.features.transform([_text(r) for r in rows])
        labels: dict[str, list[str | None]] = {}
        confidence: dict[str, list[float | None]] = {}
        for task, model in self.models.items():
            proba = model.predict_proba(x)
            classes = list(model.classes_)
            best = proba.argmax(axis=1)
            labels[task] = [str(classes[b]) for b in best]
            confidence[task] = [float(row[b]) for row, b in zip(proba, best, strict=True)]
        incident = [k == "incident" for k in labels["kind"]]
        labels["severity"] = [
            s if i else None for s, i in zip(labels["severity"], incident, strict=True)
        ]
        confidence["severity"] = [
            c if i else None for c, i in zip(confidence["severity"], incident, strict=True)
        ]
        return Predictions(labels, confidence)


def _f(value: float | None, width: int = 8, digits: int = 3) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def headline(title: str, model: dict[str, Any], base: dict[str, Any]) -> None:
    print(f"\n=== {title} ===")
    print(f"{'figure':<28}{'model':>8}{'baseline':>10}")
    for task in TASKS:
        print(
            f"{task + ' accuracy':<28}{_f(model[task]['accuracy'])}{_f(base[task]['accuracy'], 10)}"
        )
    for key in ("macro_f1", "p1p2_recall", "within_one"):
        m, b = model["severity"][key], base["severity"][key]
        print(f"{'severity ' + key:<28}{_f(m)}{_f(b, 10)}")
    ece = "  ".join(
        f"{t} {_f(model['calibration'][t]['ece'], 0)}/{_f(base['calibration'][t]['ece'], 0)}"
        for t in ALL_TASKS
    )
    print(f"(severity on {model['severity']['n']} gold incidents; ECE model/baseline: {ece})")
    tc = model["to_confirm"]
    print(
        f"à confirmer / to confirm: {tc['to_confirm']} of {tc['proposals']} severity proposals, "
        f"{tc['gold_p1p2']} of them gold P1/P2"
    )
    auto = "  ".join(
        f"{t} {a['correct']}/{a['applied']} of {a['proposals']}"
        for t, a in model["auto_apply"].items()
    )
    print(f"auto-applied (correct/applied of proposals): {auto}")


def details(model: dict[str, Any], base: dict[str, Any]) -> None:
    print("\nper label: precision / recall / F1 (support) — model | baseline")
    for task in ALL_TASKS:
        for lb, m in model[task]["per_label"].items():
            b = base[task]["per_label"][lb]
            print(
                f"  {task:<9}{lb:<14}{m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f} "
                f"({m['support']:>3})  |  {b['precision']:.2f} / {b['recall']:.2f} / {b['f1']:.2f}"
            )
    for who, res in (("model", model), ("baseline", base)):
        conf = res["severity"]["confusion"]
        cols = [*SEVERITIES, "-"]
        print(f"\nseverity confusion, {who} (rows gold, columns predicted, '-' = none)")
        print("      " + "".join(f"{c:>5}" for c in cols))
        for g in SEVERITIES:
            print(f"  {g:<4}" + "".join(f"{conf[g][c]:>5}" for c in cols))
    print("\ncalibration: count, mean confidence, accuracy per bin — model | baseline")
    for task in ALL_TASKS:
        m, b = model["calibration"][task], base["calibration"][task]
        print(f"  {task} (ECE {_f(m['ece'], 0)} | {_f(b['ece'], 0)})")
        for mb, bb in zip(m["bins"], b["bins"], strict=True):
            print(
                f"    {mb['bin']:<10}{mb['count']:>5}{_f(mb['mean_confidence'], 7, 2)}"
                f"{_f(mb['accuracy'], 7, 2)}  |{bb['count']:>5}"
                f"{_f(bb['mean_confidence'], 7, 2)}{_f(bb['accuracy'], 7, 2)}"
            )


def evaluate(
    names: Sequence[str], json_path: Path | None = None, brief: bool = False
) -> dict[str, Any]:
    """Score the model and the baseline on each named set, print, and write `json_path`."""
    from nlp.model import get_model

    baseline = Baseline(training_rows())
    model = get_model()
    figures: dict[str, Any] = {
        "model_version": model.version,
        "baseline": {"name": "tfidf-word1-2+char2-5+logreg", "train_size": baseline.train_size},
        "sets": {},
    }
    for name in names:
        try:
            rows = named_set(name)
        except FileNotFoundError:
            print(f"\n(no {name} set: skipped)")
            continue
        res: dict[str, Any] = {
            "n": len(rows),
            "model": summary(rows, model_preds(rows, model)),
            "baseline": summary(rows, baseline.predict(rows)),
        }
        figures["sets"][name] = res
        title = FROZEN_TITLE if name == "frozen" else name
        headline(f"{title} ({len(rows)} messages)", res["model"], res["baseline"])
        if not brief:
            details(res["model"], res["baseline"])
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nfigures written to {json_path}")
    return figures


def main() -> None:
    epilog = "sets (default: all, in this order):\n" + "\n".join(
        f"  {name:<17}{text}" for name, text in SET_HELP.items()
    )
    parser = argparse.ArgumentParser(
        description=__doc__, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--set", action="append", choices=SETS, metavar="NAME", help="a set to score (repeatable)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE")
    parser.add_argument(
        "--brief", action="store_true", help="print only the headline table of each set"
    )
    args = parser.parse_args()
    chosen = set(args.set or SETS)
    evaluate([name for name in SETS if name in chosen], args.json, args.brief)


if __name__ == "__main__":
    main()
