"""The G20 brief: the forum's adopted recommendations to the global level, on at most two A4
pages, in French, English or Spanish.

What goes in: recommendations whose status is ``adopted`` and whose addressee is ``global``
(the UN system and the G20). Order: support across regions first — the number of world
sections endorsing, then the number of endorsements, then the oldest first — so the most widely
backed recommendation leads. Each comes with its line of transformation, its capitals, its
support and a one-line evidence note (:func:`.recommendations_section.evidence_note`).

Two pages are a promise to the reader, so the brief keeps it: at most :data:`MAX_ITEMS`
recommendations, each text cut at :data:`MAX_TEXT_CHARS` characters (the web page linked from
each item has the whole text and all the evidence), and a last line saying how many more
there are. The PDF is laid out by ``templates/reports/brief_print.html`` (no cover page, no
table of contents); the Markdown and HTML files are made from the same :class:`~.blocks.Report`.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityforum.programme.models import Capital, Forum
from cityforum.recommendations.models import Addressee, Line, Recommendation, Status
from cityforum.recommendations.support import Support, sections_that_took_part, support_many

from .blocks import Fact, Item, Items, Notice, Paragraph, Report, Section
from .formatting import date_label, on_site
from .recommendations_section import (
    evidence_note,
    recommendation_text,
    recommendation_url,
    support_line,
)

#: Most recommendations printed: beyond, the brief would not fit two pages.
MAX_ITEMS = 10
#: Characters of a recommendation's text in the brief (the page has the whole text).
MAX_TEXT_CHARS = 420


def brief_recommendations() -> list[tuple[Recommendation, Support]]:
    """The adopted recommendations to the global level with their support, most widely
    backed first."""
    found = list(
        Recommendation.objects.filter(status=Status.ADOPTED, addressee=Addressee.GLOBAL)
        .prefetch_related("capitals", "evidence")
        .order_by("pk")
    )
    supports = support_many(found)
    return sorted(
        ((r, supports[r.pk]) for r in found),
        key=lambda pair: (-pair[1].regions_backing, -pair[1].total, pair[0].pk),
    )


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1].rstrip() + "…"


def g20_brief(forum: Forum, language: str, base_url: str = "") -> Report:
    """The brief of ``forum`` in ``language`` (see the module's docstring)."""
    with translation.override(language):
        url = on_site(base_url, reverse("reports:brief"))
        chosen = brief_recommendations()
        taking_part = len(sections_that_took_part())
        capitals_order = {c.code: c.order for c in Capital.objects.all()}
        lines = dict(Line.choices)
        section = Section("brief", _("Recommendations to the G20 and the UN system"), major=False)
        if not chosen:
            section.blocks = [
                Notice(
                    _("The forum has not adopted any recommendation addressed to the G20 yet."),
                    on_site(base_url, reverse("recommendations:list")),
                )
            ]
        else:
            section.blocks.append(
                Paragraph(
                    _(
                        "The intermediary cities of the forum adopted these %(count)d "
                        "recommendations for the G20 and the UN system. They come from "
                        "consultations held in %(sections)d world sections; the most widely "
                        "backed come first."
                    )
                    % {"count": len(chosen), "sections": taking_part}
                )
            )
            items = []
            for number, (rec, found) in enumerate(chosen[:MAX_ITEMS], start=1):
                capitals = sorted(rec.capitals.all(), key=lambda c: capitals_order.get(c.code, 99))
                head = " · ".join(
                    [
                        str(lines[rec.line]).capitalize(),
                        ", ".join(str(c.name) for c in capitals),
                        support_line(found),
                    ]
                )
                items.append(
                    Item(
                        text=f"{number}. {_cut(recommendation_text(rec, language))}",
                        detail=f"{head}. {evidence_note(list(rec.evidence.all()))}",
                        url=recommendation_url(base_url, rec),
                    )
                )
            section.blocks.append(Items(items))
            if len(chosen) > MAX_ITEMS:
                section.blocks.append(
                    Notice(
                        _("%(count)d more adopted recommendations to the G20 are on the site.")
                        % {"count": len(chosen) - MAX_ITEMS},
                        url,
                    )
                )
        return Report(
            kind="brief",
            language=language,
            title=_("Intermediary cities: recommendations to the G20"),
            subtitle=forum.name,
            badge=_("G20 brief"),
            cover=[
                Fact(_("Forum"), forum.name),
                Fact(_("State of the data"), date_label(timezone.now())),
            ],
            provenance=_(
                "Adopted by the World Forum of Intermediary Cities; every recommendation, its "
                "evidence and its support are on the site: %(url)s"
            )
            % {"url": url},
            sections=[section],
            file_stem=f"{forum.slug}-g20-brief-{language}",
            url=url,
            as_of=date_label(timezone.now()),
        )
