"""``sla due``: the printed instant, the help text, and exit status 2 on bad input."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sla.command import main, register, run_due

REPO = Path(__file__).parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse rejects bad arguments by exiting 2
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "due", "--priority", "P3", "--opened", "2026-06-23T15:00:00-04:00")
    assert (code, out, err) == (0, "2026-06-26T09:00:00-04:00\n", "")


def test_sla_prefix_utc_input_and_pauses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--priority",
        "p4",
        "--opened",
        "2026-07-02T14:00:00Z",
        "--pause",
        "2026-07-02T11:00:00-04:00/2026-07-03T09:00:00-04:00",
        "--pause",
        "2026-07-03T12:00:00-04:00/2026-07-03T13:00:00-04:00",
    )
    # 14:00Z is 10:00 EDT: 1 h Thu; Fri 09:00–12:00 and 13:00–16:30 (6.5 h, 7.5 h in all);
    # 8 h Mon 6 July (15.5 h); 0.5 h on Tue 7 July.
    assert (code, out) == (0, "2026-07-07T09:00:00-04:00\n")


def test_24_7_across_dst_end(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "due", "--priority", "1", "--opened", "2026-11-01T00:30:00-04:00")
    assert (code, out) == (0, "2026-11-01T02:30:00-05:00\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--priority", "P3", "--opened", "2026-06-23T15:00:00"], "has no UTC offset"),
        (["--priority", "P3", "--opened", "23/06/2026 15h"], "not an ISO 8601 date-time"),
        (["--priority", "P9", "--opened", "2026-06-23T15:00:00-04:00"], "use one of P1, P2"),
        (["--opened", "2026-06-23T15:00:00-04:00"], "--priority"),
        (
            [
                "--priority",
                "P3",
                "--opened",
                "2026-06-23T15:00:00-04:00",
                "--pause",
                "2026-06-23T16:00:00-04:00",
            ],
            "write START/END",
        ),
        (
            [
                "--priority",
                "P3",
                "--opened",
                "2026-06-23T15:00:00-04:00",
                "--pause",
                "2026-06-23T16:00:00-04:00/2026-06-23T15:30:00-04:00",
            ],
            "ends before it starts",
        ),
        (
            [
                "--priority",
                "P3",
                "--opened",
                "2026-06-23T15:00:00-04:00",
                "--pause",
                "2026-06-23T16:00:00-04:00/2026-06-24T09:00:00",
            ],
            "has no UTC offset",
        ),
    ],
)
def test_bad_input_exits_2_with_a_fix(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "due", *argv)
    assert code == 2 and out == ""
    assert message in err


def test_bad_policy_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text("time_zone = 3\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        "due",
        "--priority",
        "P3",
        "--opened",
        "2026-06-23T15:00:00-04:00",
        "--policy",
        str(policy),
    )
    assert code == 2 and out == ""
    assert err.startswith(f"error: {policy}: invalid service-level policy")
    assert "time_zone" in err and "calendars: Field required" in err


def test_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "due", "--help")
    assert code == 0
    for needle in ("America/Toronto", "--pause START/END", "08:30-16:30", "exit status"):
        assert needle in out


def test_register_wires_a_handler() -> None:
    parser = argparse.ArgumentParser(prog="guichet")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["sla", "due", "--priority", "P2", "--opened", "2026-03-08T00:30:00-05:00"]
    )
    out = io.StringIO()
    assert args.handler is run_due
    assert run_due(args, out=out) == 0
    assert out.getvalue() == "2026-03-08T06:30:00-04:00\n"


@pytest.mark.slow  # a real interpreter start (spaCy comes in through nlp)
def test_module_runs_as_a_script() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.sla.command",
            "due",
            "--priority",
            "P3",
            "--opened",
            "2026-06-23T15:00:00-04:00",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "2026-06-26T09:00:00-04:00\n")
