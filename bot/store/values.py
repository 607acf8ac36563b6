"""Dataclasses as the plain values a JSON column stores (a proposal, an outbox payload).

`dataclasses.asdict` deep-copies every leaf (each string and enum through `copy.deepcopy`),
which was a tenth of the dispatcher's time in a storm. Leaves here are immutable (text,
numbers, enums) and are kept as they are; containers are rebuilt as `asdict` rebuilds them.
What each type is (a leaf, a dataclass, a sequence, a mapping) is worked out once per type: a
proposal holds about forty values, and testing each against every kind was most of the cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    kind = type(value)
    convert = _BY_TYPE.get(kind)
    if convert is None:
        convert = _BY_TYPE[kind] = _converter(kind)
    return convert(value)


def _leaf(value: object) -> object:
    return value


def _sequence(value: Any) -> Any:
    return type(value)(_plain(v) for v in value)


def _mapping(value: Any) -> dict[Any, Any]:
    return {k: _plain(v) for k, v in value.items()}


def _converter(kind: type) -> Callable[[Any], Any]:
    """How `dataclasses.asdict` treats a value of `kind` (checked in its order)."""
    if issubclass(kind, str | int | float | bool) or kind is type(None):
        return _leaf  # enums too: `asdict` copies them to themselves
    if is_dataclass(kind):
        return as_dict
    if issubclass(kind, list | tuple) and not hasattr(kind, "_fields"):
        return _sequence
    if issubclass(kind, Mapping):
        return _mapping
    return _leaf


_BY_TYPE: dict[type, Callable[[Any], Any]] = {}
