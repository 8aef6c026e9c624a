"""Following a :class:`~.schema.Ref` into a value: the ids it holds, or the value with them
replaced. Used by the validator (every reference resolves), the import (old ids become the
new instance's) and the comparison of two bundles (ids become row positions).

A path is a sequence of steps: ``[]`` each item of an array, ``{}`` each key of an object
(the ids are keys, as text), ``*`` each value of an object, a name the value under that key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

_STEP = re.compile(r"\[\]|\{\}|\*|[A-Za-z_][A-Za-z_0-9]*")


@lru_cache(maxsize=64)
def steps(path: str) -> tuple[str, ...]:
    found = tuple(_STEP.findall(path))
    if "".join(found) != path.replace(".", ""):
        raise ValueError(f"bad reference path {path!r}")
    return found


def ids_in(value: Any, path: str) -> Iterator[Any]:
    """Every id the value holds at ``path`` (nulls and empty strings are no reference)."""
    yield from _ids(value, steps(path))


def _ids(value: Any, rest: tuple[str, ...]) -> Iterator[Any]:
    if value is None or value == "":
        return
    if not rest:
        yield value
        return
    step, rest = rest[0], rest[1:]
    if step == "[]" and isinstance(value, list):
        for item in value:
            yield from _ids(item, rest)
    elif step == "{}" and isinstance(value, dict):
        for key in value:
            yield from _ids(key, rest)
    elif step == "*" and isinstance(value, dict):
        for item in value.values():
            yield from _ids(item, rest)
    elif isinstance(value, dict) and step in value:
        yield from _ids(value[step], rest)


def rewrite(value: Any, path: str, change: Callable[[Any], Any]) -> Any:
    """A copy of ``value`` where every id at ``path`` is ``change(id)``.

    Keys of objects are text: ``change`` receives and must return text for ``{}``.
    """
    return _rewrite(value, steps(path), change)


def _rewrite(value: Any, rest: tuple[str, ...], change: Callable[[Any], Any]) -> Any:
    if value is None or value == "":
        return value
    if not rest:
        return change(value)
    step, rest = rest[0], rest[1:]
    if step == "[]" and isinstance(value, list):
        return [_rewrite(item, rest, change) for item in value]
    if step == "{}" and isinstance(value, dict):
        return {_rewrite(key, rest, change): item for key, item in value.items()}
    if step == "*" and isinstance(value, dict):
        return {key: _rewrite(item, rest, change) for key, item in value.items()}
    if isinstance(value, dict) and step in value:
        return {**value, step: _rewrite(value[step], rest, change)}
    return value
