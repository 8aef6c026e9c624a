"""``{% adoption_summary %}``: the adopted (frozen) documents and their signature counts,
for the home page, without the home view knowing about drafting."""

from __future__ import annotations

from typing import Any

from django import template

from cityforum.drafting.signatories import summary

register = template.Library()


@register.inclusion_tag("drafting/_adoption_summary.html")
def adoption_summary() -> dict[str, Any]:
    return summary()
