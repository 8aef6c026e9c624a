"""How a dataset is described: its fields, their types and what they refer to.

The description is the data dictionary: ``datapackage.json`` (a Frictionless Data Package)
and ``DATA_DICTIONARY.md`` are written from it, the validator checks every file against it,
the import reads the files with it and the comparison of two bundles follows its references.

Types are those of the Frictionless Table Schema. In CSV an empty cell is null (a string is
never null: it is empty), booleans are ``true``/``false``, dates ISO 8601 (``2026-03-01``),
date-times ISO 8601 in UTC to the second (``2026-03-01T09:30:00Z``), and ``object``/``array``
values are JSON text. In JSON each value has its JSON type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cityforum.core.languages import CONTENT_LANGUAGES

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .scope import Scope

STRING, INTEGER, NUMBER, BOOLEAN = "string", "integer", "number", "boolean"
DATE, DATETIME, OBJECT, ARRAY = "date", "datetime", "object", "array"
TYPES = (STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, OBJECT, ARRAY)

#: Changes whenever a dataset gains, loses or changes a field: the import refuses others.
BUNDLE_VERSION = 1

LANGUAGE_NAMES = {"fr": "French", "en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class Ref:
    """Where a field points: the ``field`` of another dataset, possibly inside a JSON value.

    ``path`` says where the ids are in an ``object``/``array`` value: ``""`` the value
    itself, ``"[]"`` each item of an array, ``"[].statement"`` the ``statement`` key of each
    item, ``"{}"`` the keys of an object, ``"articles[].id"`` deeper.
    """

    dataset: str
    field: str = "id"
    path: str = ""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    required: bool = False
    ref: Ref | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown type {self.type!r} for field {self.name!r}")

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == DATETIME:
            out["format"] = "%Y-%m-%dT%H:%M:%SZ"
        out["description"] = self.description
        if self.required:
            out["constraints"] = {"required": True}
        if self.ref is not None and self.ref.path:
            out["cityforum:refers"] = {
                "resource": self.ref.dataset,
                "field": self.ref.field,
                "path": self.ref.path,
            }
        return out


Rows = Callable[["Scope"], Iterable[tuple[Any, ...]]]


@dataclass(frozen=True)
class Dataset:
    """One table of the bundle, written as ``<name>.csv`` and ``<name>.json``.

    ``rows(scope)`` yields one tuple per row, values in field order. ``internal_ids``: the
    ``id`` column is this instance's row number, which a re-import renumbers (keeping every
    reference between datasets).
    """

    name: str
    title: Promise | str
    description: Promise | str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    rows: Rows
    internal_ids: bool = False
    order: str = ""
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def references(self) -> Iterator[Field]:
        return (f for f in self.fields if f.ref is not None)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }
        foreign = [
            {
                "fields": f.name,
                "reference": {"resource": f.ref.dataset, "fields": f.ref.field},
            }
            for f in self.fields
            if f.ref is not None and not f.ref.path
        ]
        if foreign:
            schema["foreignKeys"] = foreign
        return schema


def per_language(
    name: str, what: str, *, type: str = STRING, required_source: bool = False
) -> tuple[Field, ...]:
    """``<name>_fr``, ``<name>_en``, ``<name>_es``: content stored once per language."""
    return tuple(
        Field(
            f"{name}_{code}",
            type,
            f"{what} in {LANGUAGE_NAMES[code]}"
            + (" (the source text)" if code == "fr" else " (empty: not translated)"),
            required=required_source and code == "fr",
        )
        for code in CONTENT_LANGUAGES
    )


def consultation_field(required: bool = True, what: str = "") -> Field:
    return Field(
        "consultation",
        STRING,
        what or "The consultation (its slug, see consultations.slug)",
        required=required,
        ref=Ref("consultations", "slug"),
    )
