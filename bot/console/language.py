"""The language of a console page before anyone is signed in (sign-in, its errors, unknown
pages): `?lang=` when the visitor chose, else the browser's `Accept-Language` (RFC 9110
§12.5.4), else French. Once signed in, the account's language decides."""

from __future__ import annotations

from aiohttp import web

from bot.tickets.labels import Language

MAX_HEADER_CHARS = 200
"""Browsers send a few tags; a longer header is read up to here only."""
OURS = {language.value: language for language in Language}


def visitor_language(request: web.Request, chosen: str = "") -> Language:
    """`chosen` (a form's `lang`), else `?lang=`, else the browser's preference."""
    chosen = chosen or request.query.get("lang", "")
    if chosen in OURS:
        return OURS[chosen]
    return preferred(request.headers.get("Accept-Language", ""))


def preferred(header: str) -> Language:
    """The first of our languages by the header's weights (ties: the header's order)."""
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(header[:MAX_HEADER_CHARS].split(",")):
        tag, _, params = item.strip().partition(";")
        language = OURS.get(tag.strip().lower().split("-")[0])
        if language is None:
            continue
        weight = _weight(params)
        if weight > 0 and (best is None or (weight, -position) > (best[0], -best[1])):
            best = (weight, position, language)
    return best[2] if best else Language.FR


def _weight(params: str) -> float:
    name, _, value = params.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        weight = float(value.strip()[:5])
    except ValueError:
        return 0.0
    return weight if 0.0 <= weight <= 1.0 else 0.0
