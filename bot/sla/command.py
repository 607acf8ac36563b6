"""``sla`` command of the CLI: ``sla due`` prints a restoration due instant, ``sla show`` a
ticket's clocks from the store (`bot.sla.show`, imported lazily so ``sla due`` stays fast).

Wire it with ``bot.sla.command.register(subparsers)``; the ``due`` sub-parser sets
``handler=run_due`` in its defaults, so a dispatcher can call ``args.handler(args)``.
Standalone while unwired: ``python -m bot.sla.command due --priority P3 --opened ...``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from bot.sla.clock import due_at
from bot.sla.errors import SlaError
from bot.sla.policy import build_calendars, load_policy
from nlp.labels import Severity

_EXAMPLE_OFFSET = "such as 2026-06-23T15:00:00-04:00 (EDT), ...-05:00 (EST) or ...Z (UTC)"

DUE_DESCRIPTION = """\
Print when an incident's service must be restored, as an ISO 8601 instant with its
offset in America/Toronto.

P1 and P2 run 24/7 on real elapsed time (3 h and 5 h by default). P3, P4 and P5 run
on business hours, 08:30-16:30 Monday to Friday, skipping Quebec statutory holidays
(10 h, 16 h and 40 h by default); a ticket opened outside those hours starts counting
at the next opening. Time spent waiting on the user (--pause) does not count.
Targets come from the policy file (the shipped bot/sla/policy.toml by default).
"""

DUE_EPILOG = """\
examples:
  python -m bot sla due --priority P3 --opened 2026-06-23T15:00:00-04:00
  python -m bot sla due --priority P1 --opened 2026-11-01T00:30:00-04:00
  python -m bot sla due --priority P4 --opened 2026-07-02T10:00:00-04:00 \\
      --pause 2026-07-02T11:00:00-04:00/2026-07-03T09:00:00-04:00

exit status: 0 on success, 2 on bad input or a bad policy file.
"""


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with an offset; argparse turns the error into a usage message."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date-time; write one {_EXAMPLE_OFFSET}"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset, so the instant is ambiguous; add one, {_EXAMPLE_OFFSET}"
        )
    return value


def parse_pause(text: str) -> tuple[datetime, datetime]:
    """``START/END``: two ISO 8601 instants with offsets, END not before START."""
    start_text, sep, end_text = text.partition("/")
    if not sep or not start_text or not end_text:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a pause; write START/END, e.g. "
            "2026-07-02T11:00:00-04:00/2026-07-03T09:00:00-04:00"
        )
    start, end = parse_instant(start_text), parse_instant(end_text)
    if end < start:
        raise argparse.ArgumentTypeError(f"pause {text!r} ends before it starts; swap the two")
    return start, end


def parse_priority(text: str) -> Severity:
    normalised = text.strip().upper()
    if normalised.isdigit():
        normalised = f"P{normalised}"
    try:
        return Severity(normalised)
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        message = f"{text!r} is not a priority; use one of {choices}"
        raise argparse.ArgumentTypeError(message) from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sla`` (with its ``due`` subcommand) to a parent parser's subcommands."""
    sla = subparsers.add_parser(
        "sla",
        help="service-level clocks (due instants)",
        description="Service-level clocks computed from the policy file.",
    )
    commands = sla.add_subparsers(dest="sla_command", metavar="COMMAND", required=True)
    due = commands.add_parser(
        "due",
        help="print the restoration due instant of an incident",
        description=DUE_DESCRIPTION,
        epilog=DUE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    due.add_argument(
        "--priority",
        required=True,
        type=parse_priority,
        metavar="P1..P5",
        help="the incident's priority (severity): P1, P2, P3, P4 or P5",
    )
    due.add_argument(
        "--opened",
        required=True,
        type=parse_instant,
        metavar="INSTANT",
        help="when the ticket was opened, ISO 8601 with offset, e.g. 2026-06-23T15:00:00-04:00",
    )
    due.add_argument(
        "--pause",
        action="append",
        default=[],
        type=parse_pause,
        metavar="START/END",
        help="a period waiting on the user, as two ISO 8601 instants with offsets; repeatable",
    )
    due.add_argument(
        "--policy",
        metavar="FILE",
        default=None,
        help="service-level policy TOML file (default: the shipped bot/sla/policy.toml)",
    )
    due.set_defaults(handler=run_due)

    show = commands.add_parser(
        "show",
        help="print a ticket's clocks (restoration and answer times) from the store",
        description="Print a ticket's service-level clocks, recomputed from its event log.",
        epilog="example:\n  python -m bot sla show CSC-000123\n\n"
        "exit status: 0 on success, 1 when the ticket or the store cannot be read.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("number", metavar="TICKET", help="the ticket number, e.g. CSC-000123")
    show.add_argument(
        "--at",
        type=parse_instant,
        metavar="INSTANT",
        default=None,
        help="compute the clocks as of this instant (default: now)",
    )
    show.add_argument("--policy", metavar="FILE", default=None, help="policy TOML file")
    show.set_defaults(handler=run_show)


def run_show(args: argparse.Namespace) -> int:
    """Print one ticket's clocks; 1 with a message on stderr when it cannot."""
    from bot.sla.show import show_ticket

    return show_ticket(args.number, at=args.at, policy_file=args.policy)


def run_due(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print the due instant; return 0, or 2 with a message on stderr when input is bad."""
    stdout = sys.stdout if out is None else out
    stderr = sys.stderr if err is None else err
    try:
        policy = load_policy(args.policy)
        due = due_at(args.priority, args.opened, args.pause, policy, build_calendars(policy))
    except SlaError as exc:  # a bad policy file, or pauses the arithmetic rejects
        print(f"error: {exc}", file=stderr)
        return 2
    # In the policy's time zone: America/Toronto unless a custom policy names another.
    print(due.isoformat(), file=stdout)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bot.sla.command`` until the main CLI wires `register`."""
    parser = argparse.ArgumentParser(prog="python -m bot.sla.command")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register(sub)
    # Accept both "sla due ..." (as under python -m bot) and plain "due ...".
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] != ["sla"]:
        args_list.insert(0, "sla")
    args = parser.parse_args(args_list)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
