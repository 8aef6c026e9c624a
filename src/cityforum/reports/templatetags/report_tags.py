"""Filters of the report templates: print typography, and which addresses can be links."""

from __future__ import annotations

from typing import Any

from django import template

from cityforum.core.pdf import typeset as _typeset

register = template.Library()


@register.filter
def typeset(value: Any, language: str) -> str:
    """Typographic apostrophes, and French no-break spaces before ``: ; ! ? »`` (the stored text
    is left alone). Autoescaping still applies to the result."""
    return _typeset(str(value if value is not None else ""), str(language or ""))


@register.filter
def linkable(url: Any, printing: Any) -> bool:
    """Whether ``url`` can be a link: on the site any address can; in a PDF only an absolute
    one (a path would point into the reader's own files), the path being printed instead."""
    url = str(url or "")
    if not url:
        return False
    return not printing or url.startswith(("http://", "https://"))
