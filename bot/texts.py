"""The Jinja2 environments of `bot/templates`: plain text is not escaped, `.html` is.

`TRIMMED` drops the newline after a block tag and the indentation before it (the notices of
outages and self-service are written that way); `PLAIN` keeps the template's text as written.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def _environment(*, trim: bool) -> Environment:
    return Environment(
        loader=PackageLoader("bot", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        keep_trailing_newline=True,
        auto_reload=False,  # the templates ship with the code: no file check on each use
        trim_blocks=trim,
        lstrip_blocks=trim,
    )


PLAIN = _environment(trim=False)
TRIMMED = _environment(trim=True)
