"""Triage speed and footprint: `python -m bench.triage` (or import and call `run()`).

Figures: model load time, median latency of one message, batched throughput on one core, and
the resident memory of the process with the model loaded (read from /proc, Linux).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

MESSAGES = [
    (
        "Outlook",
        "Bonjour,\n\nMon Outlook plante au démarrage depuis ce matin. Personne d'autre "
        "n'est touché.\n\nMerci\nJulie Tremblay\nDirection des finances",
        "email",
    ),
    ("", "le wifi est down au 3e, toute l'équipe est pognée", "chat"),
    ("VPN", "Hi,\nThe VPN is down for all remote workers, we can't work at all.\nThanks", "email"),
    ("", "comment ajouter une signature dans Outlook?", "chat"),
    ("RE: billet CSC-004211", "Des nouvelles du billet CSC-004211? Ça fait une semaine.", "email"),
    ("Demande", "Pouvez-vous installer Power BI sur mon poste? Merci", "email"),
    (
        "",
        "Le portail citoyen est inaccessible pour tous les citoyens, aucun contournement.",
        "chat",
    ),
    ("Espace disque", "Le serveur FS02 est à 92 % d'espace disque, on peut planifier.", "email"),
]


def _corpus() -> list[Any]:
    """The generated test split: chat lines and long emails with signatures and history."""
    from nlp.labels import Channel
    from nlp.triage import TriageInput

    path = Path(__file__).parent.parent / "nlp" / "data" / "corpus.test.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [TriageInput(r["subject"], r["text"], Channel(r["channel"])) for r in rows] * 3


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run() -> list[tuple[str, float, str]]:
    """(name, value, unit) figures; pins the process to one core where the OS allows it."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores:
        os.sched_setaffinity(0, {min(cores)})
    try:
        return _measure()
    finally:
        if cores:
            os.sched_setaffinity(0, cores)


def _measure() -> list[tuple[str, float, str]]:
    from nlp.labels import Channel
    from nlp.model import get_model
    from nlp.triage import TriageInput, triage_batch

    rss_before = _rss_mb()
    t0 = time.perf_counter()
    model = get_model()
    load_s = time.perf_counter() - t0
    items = [TriageInput(s, t, Channel(c)) for s, t, c in MESSAGES]
    triage_batch(items, model=model)  # warm-up
    singles = []
    for _ in range(40):
        for item in items:
            t = time.perf_counter()
            triage_batch([item], model=model)
            singles.append(time.perf_counter() - t)
    batch = items * 250
    t = time.perf_counter()
    triage_batch(batch, model=model)
    rate = len(batch) / (time.perf_counter() - t)
    corpus = _corpus()
    t = time.perf_counter()
    triage_batch(corpus, model=model)
    corpus_rate = len(corpus) / (time.perf_counter() - t)
    return [
        ("triage model load", load_s, "s"),
        ("triage median latency (one message)", statistics.median(singles) * 1000, "ms"),
        ("triage batched throughput (one core)", rate, "messages/s"),
        ("triage batched throughput, test-split mix (one core)", corpus_rate, "messages/s"),
        ("triage resident memory with model", _rss_mb(), "MB"),
        ("triage memory added by model", _rss_mb() - rss_before, "MB"),
    ]


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name:<42}{value:>10.2f} {unit}")
