"""Where should severity factors come from? `python -m nlp.ablation` (evaluation only).

Scores severity on gold incidents with the factors scope and impact taken from: the patterns
alone; the trained categorisers alone (mission, workaround, security and preventive cues still
from patterns); and the shipped hybrid (patterns first, categorisers only where no pattern spoke).
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from nlp.clean import compose
from nlp.corpus import read_split
from nlp.evaluate import SETS, SEVERITIES, prf
from nlp.factors import decide_factors
from nlp.language import detect_language
from nlp.model import get_model
from nlp.pipeline import FACTOR_TASKS
from nlp.severity import decide
from nlp.triage import analyse

MODES = ("patterns", "learned", "hybrid")


def severities(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    model = get_model()
    out: dict[str, list[str]] = {m: [] for m in MODES}
    for r in rows:
        text = compose(r["subject"], r["text"])
        pipe = model.pipelines[detect_language(text).value]
        a = analyse(pipe, pipe.nlp(text.lower()), text.lower())
        cats = model.categoriser(Doc(model.categoriser.vocab, words=a.features)).cats
        learned = {t: max(labels, key=lambda lb: cats[lb]) for t, labels in FACTOR_TASKS.items()}
        p = {t: cats[learned[t]] for t in FACTOR_TASKS}
        mission = any(s.service.mission for s in a.services)
        no_scope_impact = tuple(h for h in a.hits if h.category not in ("scope", "impact"))
        found = {
            "patterns": decide_factors(a.hits, mission),
            "learned": decide_factors(
                no_scope_impact, mission, (learned["scope"], 1.0), (learned["impact"], 1.0)
            ),
            "hybrid": decide_factors(
                a.hits, mission, (learned["scope"], p["scope"]), (learned["impact"], p["impact"])
            ),
        }
        for mode in MODES:
            out[mode].append(decide(found[mode].factors).value)
    return out


def main() -> None:
    print(f"{'set':<14}{'mode':<10}{'macro-F1':>9}{'P1+P2 recall':>14}")
    for split in SETS[1:]:
        rows = [r for r in read_split(split) if r["kind"] == "incident"]
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
