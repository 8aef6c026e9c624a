"""What the API takes in: text without NUL characters, and whole numbers the databases can
hold, wherever they come from.

PostgreSQL cannot store a NUL character, nor compare a text with one: a NUL in any string
the API passes to the database (a filter, an e-mail to sign in with, a statement) would fail
as a server error there, while SQLite accepts it. No text of the forum needs one, so the API
refuses it as invalid input (422) before anything reaches a service — as Django's form fields
do on the site (``ProhibitNullCharactersValidator``).

Likewise a whole number beyond 64 bits is no id nor count of anything, and would fail in the
database driver (SQLite's ``OverflowError``, PostgreSQL's "out of range"): refused as 422 too
(:mod:`cityforum.core.numbers`).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, WithJsonSchema, field_validator

from cityforum.core.numbers import INT64_MAX, INT64_MIN, fits_int64


def no_nul(value: Any) -> Any:
    """``value`` unchanged; a ``ValueError`` (422) when a string in it holds a NUL, or a whole
    number in it does not fit 64 bits, at any depth of lists and dicts (keys included)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("The text holds a NUL character."))
    elif isinstance(value, int) and not isinstance(value, bool):
        fits(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            no_nul(key)
            no_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            no_nul(item)
    return value


#: A string query parameter: any text but NUL.
Text = Annotated[str, AfterValidator(no_nul)]


def fits(value: int) -> int:
    """``value`` unchanged; a ``ValueError`` (422, in the request's language) beyond 64 bits."""
    if not fits_int64(value):
        raise ValueError(_("The number is too large."))
    return value


#: A whole-number query parameter that names something stored (an id, a year): 64 bits. The
#: schema states the range; the message is ours, translated (pydantic's is English only).
Int = Annotated[
    int,
    AfterValidator(fits),
    WithJsonSchema({"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}),
]


class Input(Schema):
    """The base of every request body: no field holds a NUL character."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return no_nul(value)
