"""What a document export is asked for — a format and a content language — checked the same
way for the Code of Conduct (``drafting.exports``) and the outcome reports
(``reports.render``), so that the CLI, the API and the pages refuse a wrong one with the same
message in the person's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .languages import clean_language

__all__ = ["clean_format", "clean_language"]


def clean_format(value: Any, formats: Iterable[str], message: str | None = None) -> str:
    """``value`` if it is one of ``formats``, else a ``ValidationError`` naming them, with
    ``message`` (translated, with ``%(format)s`` and ``%(formats)s``) when the document has a
    word of its own for what is asked."""
    formats = list(formats)
    if value not in formats:
        template = message or _("Unknown export format “%(format)s”; choose one of: %(formats)s.")
        raise ValidationError(
            template % {"format": value, "formats": ", ".join(formats)},
            code="format",
        )
    return str(value)
