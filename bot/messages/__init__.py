"""One home for short user-facing strings: `fr.toml` and `en.toml`, same keys, same fields.

`say("rule.no_severity_on", Language.EN, kind="request")` gives the English text with its fields
filled (`str.format` fields: `{kind}`). Longer texts (acknowledgements, notices) are Jinja2
templates in `bot/templates`. A key missing from a language, or a field missing from the call,
is a programming error: `tests/test_messages.py` checks that both files have the same keys
and the same fields.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from bot.tickets.labels import Language, language_of

__all__ = ["catalogue", "fields_of", "say"]


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise TypeError(f"bot/messages: {name} is not a string")
    return flat


@cache
def catalogue(language: Language) -> Mapping[str, str]:
    """Every message of one language, by dotted key."""
    text = files(__package__).joinpath(f"{language.value}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def fields_of(template: str) -> frozenset[str]:
    """The `{field}` names a message uses."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def say(key: str, language: Language | str, /, **fields: object) -> str:
    """The message `key` in `language` (English for `en`, `en-CA`…; French otherwise), its
    fields filled."""
    return catalogue(language_of(str(language)))[key].format(**fields)
