"""The evaluation protocol's arithmetic (calibration, ECE, summary figures), its command line, and
the learning curve's split of the corrections pool."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nlp.evaluate import Predictions, calibration, summary
from nlp.learning_curve import split_pool, table

ROOT = Path(__file__).resolve().parents[2]


def test_calibration_bins_and_expected_calibration_error() -> None:
    pairs = [
        (0.95, True),
        (0.95, True),
        (0.91, False),
        (0.92, True),  # [0.9, 1.0]: 4, mean 0.9325, accuracy 0.75
        (0.65, True),
        (0.65, False),  # [0.6, 0.7): 2, mean 0.65, accuracy 0.5
        (0.3, False),  # < 0.5: 1, mean 0.3, accuracy 0
        (1.0, True),  # 1.0 belongs to the last bin
    ]
    cal = calibration(pairs)
    bins = {b["bin"]: b for b in cal["bins"]}
    assert [b["bin"] for b in cal["bins"]] == [
        "<0.5",
        "[0.5,0.6)",
        "[0.6,0.7)",
        "[0.7,0.8)",
        "[0.8,0.9)",
        "[0.9,1.0]",
    ]
    top = bins["[0.9,1.0]"]
    assert top["count"] == 5
    assert top["mean_confidence"] == pytest.approx((0.95 + 0.95 + 0.91 + 0.92 + 1.0) / 5)
    assert top["accuracy"] == pytest.approx(4 / 5)
    assert bins["[0.6,0.7)"]["count"] == 2
    assert bins["[0.6,0.7)"]["accuracy"] == pytest.approx(0.5)
    assert bins["<0.5"]["count"] == 1
    assert bins["<0.5"]["accuracy"] == 0.0
    assert bins["[0.5,0.6)"]["count"] == 0
    assert bins["[0.5,0.6)"]["mean_confidence"] is None
    assert cal["n"] == 8
    # ECE = sum over bins of share x |accuracy - mean confidence|
    ece = (5 / 8) * abs(0.8 - 0.946) + (2 / 8) * abs(0.5 - 0.65) + (1 / 8) * abs(0.0 - 0.3)
    assert cal["ece"] == pytest.approx(ece)


def test_calibration_of_nothing_is_empty_not_a_division_by_zero() -> None:
    cal = calibration([])
    assert cal["n"] == 0
    assert cal["ece"] is None
    assert all(b["count"] == 0 for b in cal["bins"])


def _row(
    kind: str, severity: str | None, team: str = "network", level: str = "N2"
) -> dict[str, Any]:
    return {
        "subject": "",
        "text": "x",
        "kind": kind,
        "severity": severity,
        "team": team,
        "level": level,
    }


def test_summary_on_hand_written_predictions() -> None:
    rows = [
        _row("incident", "P1"),
        _row("incident", "P2"),
        _row("incident", "P4"),
        _row("request", None, team="identity", level="N1"),
    ]
    preds = Predictions(
        labels={
            "kind": ["incident", "incident", "incident", "question"],
            "team": ["network", "network", "hosting", "identity"],
            "level": ["N2", "N3", "N2", "N1"],
            "severity": ["P1", "P3", "P4", None],
        },
        confidence={
            "kind": [0.9, 0.8, 0.7, 0.6],
            "team": [0.9, 0.9, 0.9, 0.9],
            "level": [0.9, 0.9, 0.9, 0.9],
            "severity": [0.9, 0.35, 0.8, None],
        },
        to_confirm=[False, True, False, False],
        auto_apply={
            "kind": [True, True, False, False],
            "team": [True, True, True, True],
            "level": [False, False, False, False],
            "severity": [True, False, True, False],
        },
    )
    res = summary(rows, preds)
    assert res["kind"]["accuracy"] == pytest.approx(3 / 4)
    assert res["team"]["accuracy"] == pytest.approx(3 / 4)
    assert res["level"]["accuracy"] == pytest.approx(3 / 4)
    sev = res["severity"]
    # P1: 1/1 right (F1 1); P2: missed (F1 0); P4: right (F1 1); P3 has no gold, not averaged
    assert sev["macro_f1"] == pytest.approx(2 / 3)
    assert sev["p1p2_recall"] == pytest.approx(1 / 2)
    assert sev["within_one"] == pytest.approx(1.0)  # P2 -> P3 is within one
    assert sev["n"] == 3
    assert sev["confusion"]["P2"]["P3"] == 1
    assert res["to_confirm"] == {"proposals": 3, "to_confirm": 1, "gold_p1p2": 1}
    auto = res["auto_apply"]
    assert auto["kind"] == {"proposals": 4, "applied": 2, "correct": 2, "precision": 1.0}
    assert auto["team"]["precision"] == pytest.approx(3 / 4)
    assert auto["level"]["applied"] == 0
    assert auto["level"]["precision"] is None
    assert auto["severity"] == {"proposals": 3, "applied": 2, "correct": 2, "precision": 1.0}
    # severity calibration covers every proposed severity; the P2 called P3 is wrong
    assert res["calibration"]["severity"]["n"] == 3
    assert res["calibration"]["kind"]["n"] == 4


def test_evaluate_command_writes_the_promised_json(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nlp.evaluate",
            "--set",
            "authored-dev",
            "--brief",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "authored-dev" in done.stdout
    assert "kind accuracy" in done.stdout
    assert "per label" not in done.stdout  # --brief: the headline table only
    assert "calibration:" not in done.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["model_version"].startswith("guichet-triage-")
    assert figures["baseline"]["train_size"] > 0
    one = figures["sets"]["authored-dev"]
    assert one["n"] > 0
    for who in ("model", "baseline"):
        res = one[who]
        for task in ("kind", "team", "level"):
            assert 0.0 <= res[task]["accuracy"] <= 1.0
            for figures_of_label in res[task]["per_label"].values():
                assert set(figures_of_label) == {"precision", "recall", "f1", "support"}
        for key in ("macro_f1", "p1p2_recall", "within_one", "confusion", "per_label"):
            assert key in res["severity"]
        for task in ("kind", "team", "level", "severity"):
            cal = res["calibration"][task]
            assert len(cal["bins"]) == 6
            assert "ece" in cal
    assert set(one["model"]["to_confirm"]) == {"proposals", "to_confirm", "gold_p1p2"}
    assert set(one["model"]["auto_apply"]) == {"kind", "team", "level", "severity"}


def test_evaluate_help_explains_the_sets() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nlp.evaluate", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for name in ("frozen", "authored-dev", "corrections-pool", "test", "handwritten5"):
        assert name in done.stdout


def test_learning_curve_split_is_seeded_disjoint_and_sized() -> None:
    pool = [{"id": f"cp-{i:04d}"} for i in range(260)]
    held, candidates = split_pool(pool, held_out=60, seed=3)
    again_held, again_candidates = split_pool(pool, held_out=60, seed=3)
    other_held, _ = split_pool(pool, held_out=60, seed=4)
    assert len(held) == 60
    assert len(candidates) == 200
    ids = [r["id"] for r in held]
    cand_ids = [r["id"] for r in candidates]
    assert not set(ids) & set(cand_ids)
    assert set(ids) | set(cand_ids) == {r["id"] for r in pool}
    assert ids == [r["id"] for r in again_held]
    assert cand_ids == [r["id"] for r in again_candidates]
    assert ids != [r["id"] for r in other_held]
    with pytest.raises(ValueError, match="held out"):
        split_pool(pool[:50], held_out=60, seed=3)


def test_learning_curve_table_gives_the_gain_over_k0() -> None:
    points = {
        0: {"held-out": [0.70, 0.80, 0.90, 0.85, 0.70]},
        50: {"held-out": [0.75, 0.80, 0.90, 0.80, 0.70]},
    }
    lines = table(points, ["held-out"]).splitlines()
    row = next(line for line in lines if line.split() and line.split()[0] == "50")
    assert row.split("|")[1].split() == ["+0.050", "+0.000", "+0.000", "-0.050", "+0.000"]
    first = next(line for line in lines if line.split() and line.split()[0] == "0")
    assert "|" not in first
