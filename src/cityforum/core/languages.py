"""The languages content is written in, and how a field falls back between them.

The forum speaks French first (the concept note is French), then English and
Spanish. Content fields are stored one column per language (``title_fr``,
``title_en``, ``title_es``) so that each column can be indexed, searched and edited
in the admin; a reader sees the active language, or French when that one is empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

CONTENT_LANGUAGES: tuple[str, ...] = ("fr", "en", "es")
SOURCE_LANGUAGE = "fr"


def clean_language(value: Any, codes: Iterable[str] = CONTENT_LANGUAGES) -> str:
    """``value`` if it is one of ``codes`` (by default the content languages), else a
    ``ValidationError`` naming them, in the person's language: one message wherever a
    language is asked for (contributions, statements, profiles, exports)."""
    codes = list(codes)
    if value not in codes:
        raise ValidationError(
            _("Unknown language “%(code)s”; choose one of: %(codes)s.")
            % {"code": value, "codes": ", ".join(codes)},
            code="language",
        )
    return str(value)


def active_language() -> str:
    """The active UI language reduced to one of the content languages."""
    code = (get_language() or SOURCE_LANGUAGE).split("-")[0].lower()
    return code if code in CONTENT_LANGUAGES else SOURCE_LANGUAGE


class Translated:
    """Descriptor reading ``<name>_<lang>`` in the active language, falling back to French.

    ``consultation.title`` gives the title a reader should see; ``consultation.title_es``
    the stored Spanish text (possibly empty).
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name

    def __set_name__(self, owner: type, name: str) -> None:
        if self.name is None:
            self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return self.value(instance, active_language())

    def value(self, instance: Any, language: str) -> str:
        text = getattr(instance, f"{self.name}_{language}", "") or ""
        if text:
            return str(text)
        for fallback in (SOURCE_LANGUAGE, *CONTENT_LANGUAGES):
            text = getattr(instance, f"{self.name}_{fallback}", "") or ""
            if text:
                return str(text)
        return ""


def all_languages(instance: Any, name: str) -> dict[str, str]:
    """``{"fr": ..., "en": ..., "es": ...}`` with the French fallback applied per language."""
    descriptor = Translated(name)
    return {code: descriptor.value(instance, code) for code in CONTENT_LANGUAGES}
