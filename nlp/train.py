"""Train the triage model: `python -m nlp.train [--epochs N] [--out DIR]`.

Seeded and reproducible. Runs the French or English language pipeline (tokens, lookup lemmas,
matchers) over the train split, trains three bag-of-words text categorisers (kind, team, level)
on the resulting features, sets per-label auto-apply thresholds on the dev split and writes a
versioned model: `nlp/model/textcat/` and `nlp/model/meta.json`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from pathlib import Path
from typing import Any

from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch  # type: ignore[attr-defined]
from tqdm import tqdm

from nlp.clean import compose
from nlp.corpus import AUTHORED_DIR, DATA_DIR, TUNED_DIR, dev_rows, training_rows
from nlp.labels import category
from nlp.language import detect_language
from nlp.model import LANGS, MODEL_DIR, language_pipeline, load
from nlp.pipeline import FACTOR_TASKS, TASKS, categoriser
from nlp.reader import READER_DIR
from nlp.reader import TASKS as READER_TASKS
from nlp.reader import fit as fit_reader
from nlp.reader import save as save_reader
from nlp.triage import TriageInput, analyse, triage_batch

SEED = 7
TARGET_PRECISION = 0.95


ALL_TASKS = {**TASKS, **FACTOR_TASKS}


def gold(row: dict[str, Any], task: str) -> str | None:
    """The row's label for `task`; the factor tasks only exist for labelled incident factors."""
    if task == "severity":
        return row["severity"] if row.get("kind") == "incident" else None
    if task not in FACTOR_TASKS:
        return row[task]  # type: ignore[no-any-return]
    if row.get("kind") != "incident":
        return None
    value = (row.get("factors") or {}).get(task)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def cats(label: str, task: str) -> dict[str, float]:
    return {category(task, lb): float(lb == label) for lb in ALL_TASKS[task]}


def version(epochs: int) -> str:
    digest = hashlib.sha256(f"epochs={epochs};seed={SEED};target={TARGET_PRECISION}".encode())
    here = Path(__file__).parent
    # Everything that can change a proposal: the data it learns from, the catalogue, and the
    # run-time code (not the tools that only train or score).
    tools = {"train.py", "evaluate.py", "ablation.py", "learning_curve.py", "make_corpus.py"}
    code = sorted(p for p in here.rglob("*.py") if p.name not in tools)
    sources = [
        *sorted(DATA_DIR.glob("corpus.*.jsonl")),
        *sorted(AUTHORED_DIR.glob("*.jsonl")),
        *sorted(TUNED_DIR.glob("*.jsonl")),
        DATA_DIR / "services.toml",
        *code,
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return f"guichet-triage-1.{epochs}-{digest.hexdigest()[:10]}"


def featurise(rows: list[dict[str, Any]]) -> list[list[str]]:
    pipes = {lang: language_pipeline(lang) for lang in LANGS}
    out = []
    for r in tqdm(rows, desc="features", unit="msg"):
        text = compose(r["subject"], r["text"])
        pipe = pipes[detect_language(text).value]
        out.append(analyse(pipe, pipe.nlp(text.lower())).features)
    return out


def train_categoriser(rows: list[dict[str, Any]], epochs: int) -> SpacyLanguage:
    fix_random_seed(SEED)
    nlp = categoriser()
    docs = [Doc(nlp.vocab, words=words) for words in featurise(rows)]
    # One exclusive categoriser per task: each is updated on examples carrying its labels only.
    examples = [
        {
            task: Example.from_dict(doc, {"cats": cats(label, task)})
            for task in ALL_TASKS
            if (label := gold(r, task)) is not None
        }
        for doc, r in zip(docs, rows, strict=True)
    ]
    optimizer = nlp.initialize()
    rng = random.Random(SEED)
    bar = tqdm(total=len(rows) * epochs, unit="ex", desc="training")
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=compounding(8.0, 64.0, 1.05)):  # type: ignore[no-untyped-call]
            for task in ALL_TASKS:
                mine = [ex[task] for ex in batch if task in ex]
                if mine:
                    textcat: Any = nlp.get_pipe(task)
                    textcat.update(mine, sgd=optimizer, drop=0.1)
            bar.update(len(batch))
    bar.close()
    return nlp


def thresholds(dev: list[dict[str, Any]], model_dir: Path) -> dict[str, dict[str, float]]:
    """Per label, the lowest confidence at which dev proposals reach the target precision."""
    model = load(model_dir)
    preds = triage_batch([TriageInput(r["subject"], r["text"]) for r in dev], model=model)
    out: dict[str, dict[str, float]] = {}
    grid = [round(0.5 + 0.01 * i, 2) for i in range(50)]
    for task in (*TASKS, "severity"):
        out[task] = {}
        pairs = []
        for row, p in zip(dev, preds, strict=True):
            label = getattr(p, task)
            conf = getattr(p.confidence, task)
            if label is not None and conf is not None:
                pairs.append((label.value, conf, row[task] == label.value))
        for label in {lb for lb, _, _ in pairs}:
            mine = [(c, ok) for lb, c, ok in pairs if lb == label]
            out[task][label] = 1.0
            for t in grid:
                kept = [ok for c, ok in mine if c >= t]
                if len(kept) >= 3 and sum(kept) / len(kept) >= TARGET_PRECISION:
                    out[task][label] = t
                    break
    return out


def build(
    train: list[dict[str, Any]], dev: list[dict[str, Any]], out: Path, epochs: int = 12
) -> dict[str, Any]:
    """Train on `train`, set thresholds on `dev`, write the model to `out` (atomically)."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    train_categoriser(train, epochs).to_disk(tmp / "textcat")
    texts = [compose(r["subject"], r["text"]).lower() for r in train]
    heads = {task: [gold(r, task) for r in train] for task in READER_TASKS}
    save_reader(fit_reader(texts, heads), tmp / READER_DIR)
    meta: dict[str, Any] = {
        "version": version(epochs),
        "seed": SEED,
        "epochs": epochs,
        "train_size": len(train),
        "thresholds": {},
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    meta["thresholds"] = thresholds(dev, tmp)
    meta["target_precision"] = TARGET_PRECISION
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Train the triage model on the generated and authored corpora "
        "(never on the frozen set) and write it to nlp/model/."
    )
    parser.add_argument("--epochs", type=int, default=12, help="passes over the data (12)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="model folder (nlp/model)")
    args = parser.parse_args()
    meta = build(training_rows(), dev_rows(), args.out, args.epochs)
    print(f"model {meta['version']} written to {args.out}")


if __name__ == "__main__":
    main()
