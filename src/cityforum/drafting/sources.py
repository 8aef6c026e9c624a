"""How an article's cited sources read on its page: what each is, where it comes from
(its region), and a link to it. Read-only; citing goes through :func:`.services.cite`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cityforum.programme.models import Region

from .models import ArticleSource

QUOTE_CHARS = 240


def _theme_regions(source: ArticleSource, language: str) -> list[str]:
    """The regions where the cited theme is present, by the run's own prevalence."""
    result = (source.theme_run.result or {}) if source.theme_run else {}
    names = result.get("regions", {})
    for theme in result.get("themes", []):
        if theme.get("id") == source.theme_id:
            present = [
                code
                for code, p in sorted(theme.get("prevalence", {}).items())
                if (p or {}).get("count")
            ]
            return [names.get(code, {}).get(language) or code for code in present]
    return []


def describe_sources(sources: Iterable[ArticleSource], language: str) -> list[dict[str, Any]]:
    """One row per citation: ``{source, kind, label, text, regions, url, note}``."""
    rows = []
    qs = sources
    if hasattr(qs, "select_related"):
        qs = qs.select_related(  # type: ignore[attr-defined]
            "contribution__region",
            "statement__consultation__region",
            "theme_run",
        )
    for source in qs:
        row: dict[str, Any] = {"source": source, "kind": source.kind, "note": source.note}
        if source.contribution_id:
            c = source.contribution
            row.update(
                label=_("Contribution: %(title)s") % {"title": c.title},
                text=c.body[:QUOTE_CHARS],
                text_language=c.language,
                regions=[str(c.region.name)] if c.region else [],
                url=reverse("participation:contribution", args=[c.pk]),
            )
        elif source.statement_id:
            s = source.statement
            region: Region | None = s.consultation.region
            row.update(
                label=_("Statement put to the vote in “%(consultation)s”")
                % {"consultation": s.consultation.title},
                text=s.text,
                text_language=s.language,
                regions=[str(region.name)] if region else [_("all regions")],
                url=reverse("statements:vote", args=[s.consultation.slug]),
            )
        else:
            row.update(
                label=_("Synthesis theme: %(label)s") % {"label": source.theme_label},
                text="",
                text_language="",
                regions=_theme_regions(source, language),
                url=reverse("synthesis:theme_run", args=[source.theme_run_id])
                + f"#theme-{source.theme_id}",
            )
        rows.append(row)
    return rows
