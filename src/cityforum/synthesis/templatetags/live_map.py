"""``{% load live_map %}{% live_map_slot consultation %}``: the live opinion map's block on the
voting page (issue 16); nothing at all while the consultation's live map is off."""

from __future__ import annotations

from typing import Any

from django import template

from ..opinion import live
from ..opinion.live_views import fragment_context

register = template.Library()


@register.inclusion_tag("synthesis/live/_slot.html", takes_context=True)
def live_map_slot(context: dict[str, Any], consultation: Any) -> dict[str, Any]:
    request = context.get("request")
    if request is None or consultation is None or not live.is_live(consultation.pk):
        return {}
    return {**(fragment_context(request, consultation) or {}), "request": request}
