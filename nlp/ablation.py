"""Where should severity factors come from? `python -m nlp.ablation` (evaluation only).

Scores severity on gold incidents (never on the frozen set: this is a tuning tool) with the
factors taken from: the patterns alone; the learned factor models alone (security, preventive and
protective cues still from patterns); the hybrid (patterns first, learned models only where no
pattern spoke and they are sure); and the shipped `cautious` (hybrid, then raised to P1/P2 to
confirm when the learned models' doubts make it plausible: `nlp.caution`).
"""

from __future__ import annotations

from typing import Any

from nlp.caution import cautious
from nlp.clean import compose
from nlp.corpus import named_set
from nlp.evaluate import SEVERITIES, prf
from nlp.factors import decide_factors
from nlp.labels import distributions
from nlp.language import detect_language
from nlp.model import get_model
from nlp.pipeline import FACTOR_TASKS
from nlp.severity import decide
from nlp.triage import analyse

MODES = ("patterns", "learned", "hybrid", "cautious")
SETS = ("authored-dev", "dev", "handwritten", "handwritten2", "handwritten3", "handwritten4")


def severities(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    model = get_model()
    out: dict[str, list[str]] = {m: [] for m in MODES}
    for r in rows:
        text = compose(r["subject"], r["text"])
        pipe = model.pipelines[detect_language(text).value]
        a = analyse(pipe, pipe.nlp(text.lower()), text.lower())
        cats = model.categoriser.scores([a.features])[0]
        dists = distributions(cats, FACTOR_TASKS)
        learned = {t: max(d, key=lambda lb: d[lb]) for t, d in dists.items()}
        p = {t: dists[t][learned[t]] for t in FACTOR_TASKS}
        mission = any(s.service.mission for s in a.services)
        no_scope_impact = tuple(h for h in a.hits if h.category not in ("scope", "impact"))
        found = {
            "patterns": decide_factors(a.hits, mission),
            "learned": decide_factors(
                no_scope_impact, mission, {t: (learned[t], 1.0) for t in FACTOR_TASKS}
            ),
            "hybrid": decide_factors(
                a.hits, mission, {t: (learned[t], p[t]) for t in FACTOR_TASKS}
            ),
        }
        for mode in MODES[:3]:
            out[mode].append(decide(found[mode].factors).value)
        hybrid = found["hybrid"]
        out["cautious"].append(cautious(hybrid, decide(hybrid.factors), dists)[0].value)
    return out


def main() -> None:
    print(f"{'set':<14}{'mode':<10}{'macro-F1':>9}{'P1+P2 recall':>14}")
    for split in SETS:
        rows = [r for r in named_set(split) if r["kind"] == "incident"]
        gold = [r["severity"] for r in rows]
        for mode, pred in severities(rows).items():
            per = prf(gold, list(pred), SEVERITIES)
            present = [lb for lb in SEVERITIES if per[lb][3]]
            f1 = sum(per[lb][2] for lb in present) / len(present)
            high = [p for g, p in zip(gold, pred, strict=True) if g in ("P1", "P2")]
            rec = sum(p in ("P1", "P2") for p in high) / max(1, len(high))
            print(f"{split:<14}{mode:<10}{f1:>9.3f}{rec:>14.3f}")


if __name__ == "__main__":
    main()
