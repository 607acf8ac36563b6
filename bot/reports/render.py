"""The dashboard as files: charts (matplotlib, inline SVG), the French HTML page (the CSV is
`bot.reports.export`).

No I/O here: every function returns text. The page is self-contained (no CDN, no external file)
so it can be mailed, archived and printed to PDF as is.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

import matplotlib

matplotlib.use("Agg")  # no display: render to SVG only

import matplotlib.pyplot as plt
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.organisations import Organisation
from bot.reports.metrics import Figures
from bot.sla import format as fmt

_env = Environment(
    loader=PackageLoader("bot", "templates"),
    undefined=StrictUndefined,
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
)
_env.filters["nombre"] = lambda v, d=0: fmt.number(v, d)
_env.filters["pourcent"] = lambda v, d=1: fmt.percent(v, d)
_env.filters["duree"] = lambda v: fmt.duration(v)
_env.filters["instant"] = lambda v: fmt.instant(v)

# Text stays text in the SVG (smaller, selectable, printable); fixed ids make pages reproducible.
plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "guichet",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

log = logging.getLogger(__name__)

BLUE, GREY, GREEN, RED = "#095797", "#8a9bb0", "#2e7d32", "#c62828"  # Québec.example blue

KIND_FR = {
    "incident": "Incidents",
    "request": "Demandes",
    "question": "Questions",
    "status": "Suivis",
    "–": "Non classés",
}
TEAM_FR = {
    "workstation": "Poste de travail",
    "collaboration": "Messagerie et collaboration",
    "identity": "Identité et accès",
    "network": "Réseau et télécom",
    "printing": "Impression",
    "applications": "Applications d'affaires",
    "hosting": "Hébergement et infrastructure",
    "security": "Sécurité",
    "–": "Non assignés",
}
CHANNEL_FR = {"email": "Courriel", "slack": "Slack", "web": "Clavardage Web", "total": "Total"}
STATE_FR = {
    "running": "En cours",
    "paused": "En attente de l'utilisateur",
    "breached": "Délai dépassé",
    "stopped": "Résolu",
}
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


MONTHS_FR_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.",
                   "oct.", "nov.", "déc.")  # fmt: skip


def month_name(label: str) -> str:
    """``2026-10`` → ``octobre 2026``."""
    year, month = label.split("-")
    return f"{MONTHS_FR[int(month) - 1]} {year}"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: drop the XML prolog and doctype


_PERCENT = FuncFormatter(lambda v, _pos: fmt.percent(v, 0))


def _rates_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    targets: Sequence[float],
) -> str:
    """Grouped bars of rates (0..1), with each group's target as a red tick."""
    figure, axes = plt.subplots(figsize=(6.4, 2.6))
    width = 0.8 / len(series)
    for index, (name, values, colour) in enumerate(series):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
        axes.bar(xs, [v or 0 for v in values], width * 0.95, label=name, color=colour)
    for i, target in enumerate(targets):
        axes.hlines(target, i - 0.45, i + 0.45, colors=RED, linewidth=2)
    axes.plot([], [], color=RED, linewidth=2, label="Cible")
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(0, 1.05)
    axes.yaxis.set_major_formatter(_PERCENT)
    # Above the plot: inside it, the legend would hide bars near 100 %.
    axes.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        fontsize=8,
        frameon=False,
        ncols=len(series) + 1,
    )
    return _svg(figure)


def _bars(labels: Sequence[str], values: Sequence[int], horizontal: bool = False) -> str:
    height = 0.3 * len(labels) + 0.6 if horizontal else 2.4
    figure, axes = plt.subplots(figsize=(6.4, max(height, 1.4)))
    if horizontal:
        axes.barh(list(labels)[::-1], list(values)[::-1], color=BLUE)
    else:
        axes.bar(labels, values, color=BLUE)
    axis = axes.xaxis if horizontal else axes.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.number(v)))
    return _svg(figure)


def charts(figures: Figures) -> dict[str, str]:
    """Each chart of the page as an inline SVG string."""
    restoration = [line for line in figures.restoration if line.count]
    answers = figures.answers
    return {
        "restoration": _rates_chart(
            [line.severity for line in restoration],
            [("Remis en service dans le délai", [ln.rate.value for ln in restoration], BLUE)],
            [line.target for line in restoration],
        )
        if restoration
        else "",
        "answers": _rates_chart(
            [CHANNEL_FR.get(line.channel, line.channel) for line in answers],
            [
                ("Première réponse d'une personne", [ln.person.value for ln in answers], BLUE),
                ("Accusé de réception automatique", [ln.any.value for ln in answers], GREY),
            ],
            [figures.answer_target] * len(answers),
        ),
        "weeks": _bars(
            [f"{d.day} {MONTHS_FR_SHORT[d.month - 1]}" for d, _ in figures.by_week],
            [n for _, n in figures.by_week],
        ),
        "teams": _bars(
            [TEAM_FR.get(t, t) for t in figures.by_team], list(figures.by_team.values()), True
        ),
    }


@cache
def destination_names() -> Mapping[str, str]:
    """Catalogue id → French name of the other support centres (`bot/data/redirects.toml`);
    empty, so the page shows the ids, when the catalogue cannot be read."""
    from bot.selfservice.errors import SelfServiceDataError
    from bot.selfservice.redirect import load_catalogue

    try:
        return {r.id: r.name_fr for r in load_catalogue().redirects}
    except SelfServiceDataError as exc:
        log.warning("report: redirection destinations shown by id: %s", exc)
        return {}


def render_html(
    organisation: Organisation,
    month: str,
    figures: Figures,
    generated: datetime,
    destinations: Mapping[str, str] | None = None,
) -> str:
    """The self-contained French page for one organisation's month. ``destinations`` names
    the redirection destinations by catalogue id (default: `destination_names`)."""
    return _env.get_template("report.html.j2").render(
        org=organisation,
        month=month_name(month),
        month_label=month,
        f=figures,
        charts=charts(figures),
        generated=generated,
        kinds=KIND_FR,
        teams=TEAM_FR,
        channels=CHANNEL_FR,
        states=STATE_FR,
        destinations=destination_names() if destinations is None else destinations,
    )
