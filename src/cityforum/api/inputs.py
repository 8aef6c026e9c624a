"""What the API takes in: text without NUL characters, wherever it comes from.

PostgreSQL cannot store a NUL character, nor compare a text with one: a NUL in any string
the API passes to the database (a filter, an e-mail to sign in with, a statement) would fail
as a server error there, while SQLite accepts it. No text of the forum needs one, so the API
refuses it as invalid input (422) before anything reaches a service — as Django's form fields
do on the site (``ProhibitNullCharactersValidator``).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, field_validator


def no_nul(value: Any) -> Any:
    """``value`` unchanged; a ``ValueError`` (422) when a string in it holds a NUL, at any
    depth of lists and dicts (keys included)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("The text holds a NUL character."))
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


class Input(Schema):
    """The base of every request body: no field holds a NUL character."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return no_nul(value)
