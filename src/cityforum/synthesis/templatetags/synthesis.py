"""``{% load synthesis %}``: what the consultation page says about its syntheses: the link to
its opinion map when one exists, and the capitals under-represented while it is open."""

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


@register.simple_tag
def under_represented_capitals(consultation: Any) -> list[str]:
    """The names of the capitals under half an even share of the tags, while it is open."""
    from cityforum.programme.models import Status

    from ..capitals.views import profile_context

    if consultation is None or consultation.status != Status.OPEN:
        return []
    return list(profile_context(consultation)["profile_alert"])


@register.simple_tag
def has_contributions_synthesis(consultation: Any) -> bool:
    """Whether the consultation's synthesis page has something to show: an approved themes
    synthesis, or visible contributions (their capitals profile)."""
    from cityforum.participation.models import Visibility

    from ..models import ThemeRun

    return (
        ThemeRun.objects.filter(consultation=consultation, approved_at__isnull=False).exists()
        or consultation.contributions.filter(status=Visibility.VISIBLE).exists()
    )
