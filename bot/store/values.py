"""Dataclasses as the plain values a JSON column stores (a proposal, an outbox payload).

`dataclasses.asdict` deep-copies every leaf (each string and enum through `copy.deepcopy`),
which was a tenth of the dispatcher's time in a storm. Leaves here are immutable (text,
numbers, enums) and are kept as they are; containers are rebuilt as `asdict` rebuilds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

_NAMES: dict[type, tuple[str, ...]] = {}


def as_dict(obj: object) -> dict[str, Any]:
    """`dataclasses.asdict(obj)`, without copying the leaves."""
    kind = type(obj)
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(obj))  # type: ignore[arg-type]
    return {name: _plain(getattr(obj, name)) for name in names}


def _plain(value: object) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return as_dict(value)
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value
