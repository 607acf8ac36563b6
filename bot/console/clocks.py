"""A ticket's service-level clocks as the ticket page shows them: label and value lines, in the
agent's language. Pure: the clocks come from `bot.sla` (the same engine as Slack's cards, the
watcher and the reports)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.messages import say
from bot.sla import format as fmt
from bot.sla.clock import Clocks
from bot.tickets.labels import Language, language_of

EASTERN = ZoneInfo("America/Toronto")
"""The desk's time zone (Quebec), as on the triage cards."""


def clock_lines(clocks: Clocks | None, language: Language | str) -> list[tuple[str, str]]:
    """(label, value) pairs; empty when the ticket has no clocks (no policy, not opened yet)."""
    if clocks is None:
        return []
    lang = language_of(str(language))
    code = lang.value

    def line(key: str, value: str) -> tuple[str, str]:
        return say(f"console.clock.{key}", lang), value

    def verdict(met: bool | None) -> str:
        return say(f"console.clock.met_{'unknown' if met is None else str(met).lower()}", lang)

    lines = [line("state", say(f"console.clock.state_{clocks.state.value}", lang))]
    if not clocks.has_target:
        lines.append(line("due", say("console.clock.no_target", lang)))
    else:
        due = clocks.due.astimezone(EASTERN) if clocks.due else None
        lines += [
            line("due", fmt.instant(due, code)),
            line("remaining", fmt.duration(clocks.remaining_seconds, code)),
            line("used", fmt.percent(clocks.fraction, 0, code)),
            line("met", verdict(clocks.met)),
        ]
    lines += [
        line("elapsed", fmt.duration(clocks.elapsed_seconds, code)),
        line("paused", fmt.duration(clocks.paused_seconds, code)),
        line("first_person", fmt.duration(clocks.first_person_answer_seconds, code)),
        line("first_person_met", verdict(clocks.first_person_answer_met)),
    ]
    return lines
