"""``{% load synthesis %}``: the consultation page's link to its opinion map, when one exists."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import OpinionMapRun

register = template.Library()


@register.simple_tag
def has_opinion_map(consultation: Any) -> bool:
    return OpinionMapRun.objects.filter(
        consultation=consultation, status=OpinionMapRun.Status.DONE
    ).exists()
