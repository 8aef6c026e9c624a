"""The forum's recommendations in the outcome document, grouped by line of transformation then
capital, each with its evidence and its support; and the one-line notes the G20 brief reuses.

Read-only: the recommendations, their evidence snapshots (:class:`~cityforum.recommendations.
models.Evidence`), :func:`~cityforum.recommendations.support.support_many` and
:func:`~cityforum.recommendations.balance.balance`. Only what the forum stands behind or is
consulting on is printed (``consulted`` and ``adopted``); drafts and withdrawn texts are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityforum.programme.models import Capital, Region
from cityforum.recommendations.balance import COUNTED_STATUSES, balance
from cityforum.recommendations.models import Addressee, Evidence, Line, Recommendation, Status
from cityforum.recommendations.support import Support, support_many

from .blocks import Cell, Column, Item, Items, Notice, Paragraph, Quote, Quotes, Section, Table
from .formatting import on_site

#: Evidence quotes printed per recommendation in the report (the page shows them all).
QUOTES_PER_RECOMMENDATION = 2
#: Characters of an evidence quote or label in a one-line note.
NOTE_CHARS = 140


def recommendation_url(base_url: str, recommendation: Recommendation) -> str:
    return on_site(base_url, reverse("recommendations:detail", args=[recommendation.pk]))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def region_names(codes: Iterable[str]) -> list[str]:
    """The names of the world sections ``codes`` (in the active language), unknown codes kept."""
    wanted = [c for c in codes if c]
    names = {r.code: str(r.name) for r in Region.objects.filter(code__in=wanted)}
    return [names.get(code, code) for code in wanted]


def support_line(found: Support) -> str:
    """ "12 endorsements from 4 of the 6 world sections that took part — backed across regions"."""
    endorsements = ngettext("%(count)d endorsement", "%(count)d endorsements", found.total) % {
        "count": found.total
    }
    if not found.sections_taking_part:
        return endorsements
    text = _(
        "%(endorsements)s, from %(backing)d of the %(sections)d world sections that took part"
    ) % {
        "endorsements": endorsements,
        "backing": found.regions_backing,
        "sections": len(found.sections_taking_part),
    }
    if found.backed_across_regions:
        text += " — " + _("backed across regions")
    else:
        text += " — " + _("%(needed)d needed to be backed across regions") % {
            "needed": found.needed
        }
    return text


def _strongest(evidence: Sequence[Evidence]) -> Evidence | None:
    """The piece of evidence that says most: the most regions behind it, then the largest
    count, then the first linked."""
    if not evidence:
        return None
    return sorted(evidence, key=lambda e: (-len(e.regions or []), -e.count, e.pk))[0]


def evidence_note(evidence: Sequence[Evidence]) -> str:
    """One line on what supports a recommendation: its strongest piece of evidence (kind,
    label or quote, count, regions) and how many pieces there are in all."""
    best = _strongest(evidence)
    if best is None:
        return _("No evidence linked yet.")
    kinds = dict(Evidence.Kind.choices)
    what = _shorten(best.label or best.quote, NOTE_CHARS)
    kind = str(kinds.get(best.kind, best.kind))
    # Translators: the kind of evidence, then its label or quote between the language's quotes.
    parts = [_("%(kind)s: “%(what)s”") % {"kind": kind, "what": what} if what else kind]
    if best.count:
        parts.append(
            ngettext("%(count)d contribution", "%(count)d contributions", best.count)
            % {"count": best.count}
        )
    regions = list(best.regions or [])
    if regions:
        parts.append(
            ngettext("%(count)d region", "%(count)d regions", len(regions))
            % {"count": len(regions)}
        )
    note = _("Evidence — %(what)s") % {"what": ", ".join(parts)}
    if len(evidence) > 1:
        note += " " + ngettext(
            "(and %(count)d more piece)", "(and %(count)d more pieces)", len(evidence) - 1
        ) % {"count": len(evidence) - 1}
    return note


def _evidence_quotes(
    recommendation: Recommendation, evidence: Sequence[Evidence], base_url: str
) -> list[Quote]:
    kinds = dict(Evidence.Kind.choices)
    url = recommendation_url(base_url, recommendation)
    quotes = []
    ranked = sorted(evidence, key=lambda e: (-len(e.regions or []), -e.count, e.pk))
    for piece in [e for e in ranked if e.quote][:QUOTES_PER_RECOMMENDATION]:
        reference = _("%(kind)s, for recommendation no. %(number)d") % {
            "kind": kinds.get(piece.kind, piece.kind),
            "number": recommendation.pk,
        }
        if piece.label:
            reference += f" — {piece.label}"
        quotes.append(
            Quote(
                text=piece.quote,
                language=piece.language or recommendation.language,
                where=", ".join(region_names(piece.regions or [])),
                url=url,
                reference=reference,
            )
        )
    return quotes


def recommendation_text(recommendation: Recommendation, language: str) -> str:
    """The text a reader of ``language`` sees: their version when up to date, else the
    original with its language named."""
    text, shown = recommendation.text_for(language)
    if shown != language:
        names = {"fr": _("French"), "en": _("English"), "es": _("Spanish")}
        text += " " + _("(original in %(language)s)") % {"language": names.get(shown, shown)}
    return text


def _detail(recommendation: Recommendation, found: Support, capitals: list[Capital]) -> str:
    statuses = dict(Status.choices)
    addressees = dict(Addressee.choices)
    parts = [
        str(statuses[recommendation.status]),
        _("addressed to %(who)s") % {"who": addressees[recommendation.addressee]},
    ]
    if len(capitals) > 1:
        parts.append(_("capitals: %(names)s") % {"names": ", ".join(str(c.name) for c in capitals)})
    parts.append(support_line(found))
    return " · ".join(parts)


def _balance_table(base_url: str) -> tuple[Table, list[str]]:
    found = balance()
    capitals = list(Capital.objects.order_by("order"))
    lines = dict(Line.choices)
    table = Table(
        caption=_("Consulted and adopted recommendations by capital and line of transformation"),
        columns=[Column(_("Capital"))]
        + [Column(str(lines[code]), numeric=True) for code in Line.values]
        + [Column(_("Total"), numeric=True)],
        rows=[
            [Cell(str(c.name))]
            + [Cell(str(found.by_line.get(c.code, {}).get(code, 0))) for code in Line.values]
            + [Cell(str(found.capital_totals.get(c.code, 0)))]
            for c in capitals
        ],
    )
    names = {c.code: str(c.name) for c in capitals}
    empty = [
        f"{names.get(a.capital, a.capital)} × {lines.get(a.line, a.line)}"
        for a in found.alerts
        if a.kind == "empty"
    ]
    notes = []
    if found.index is not None:
        notes.append(
            _(
                "Balance index of the recommendations over the five capitals: "
                "%(value).2f (%(band)s)."
            )
            % {"value": found.index.balance, "band": found.index.band}
        )
    if empty:
        notes.append(_("No recommendation yet for: %(cells)s.") % {"cells": "; ".join(empty)})
    return table, notes


def recommendations_section(language: str, base_url: str = "") -> Section:
    """The chapter: an overview with the capitals × lines balance, then one subsection per line
    of transformation, its recommendations grouped by their first capital."""
    section = Section("recommendations", _("Recommendations"))
    counted = list(
        Recommendation.objects.filter(status__in=COUNTED_STATUSES)
        .prefetch_related("capitals", "evidence")
        .order_by("pk")
    )
    if not counted:
        section.blocks = [
            Notice(
                _("The forum has no consulted or adopted recommendation yet."),
                on_site(base_url, reverse("recommendations:list")),
            )
        ]
        return section
    supports = support_many(counted)
    adopted = sum(1 for r in counted if r.status == Status.ADOPTED)
    intro = _(
        "%(count)d recommendations: %(adopted)d adopted by the forum, %(consulted)d consulted on. "
        "Each names the line of transformation it belongs to and the capitals it serves, the "
        "evidence it rests on (quotes in their original language) and who backs it. A "
        "recommendation is backed across regions when it is endorsed from at least two thirds "
        "of the world sections that took part."
    ) % {"count": len(counted), "adopted": adopted, "consulted": len(counted) - adopted}
    table, notes = _balance_table(base_url)
    section.blocks = [Paragraph(intro), table, *[Paragraph(n) for n in notes]]
    capitals_order = {c.code: c.order for c in Capital.objects.all()}
    lines = dict(Line.choices)
    for code in Line.values:
        sub = Section(f"recommendations-{code.replace('_', '-')}", str(lines[code]).capitalize())
        on_line = [r for r in counted if r.line == code]
        if not on_line:
            sub.blocks = [Notice(_("No recommendation on this line yet."))]
            section.subsections.append(sub)
            continue
        groups: dict[str, list[tuple[Recommendation, list[Capital]]]] = {}
        names: dict[str, str] = {}
        for rec in on_line:
            capitals = sorted(rec.capitals.all(), key=lambda c: capitals_order.get(c.code, 99))
            first = capitals[0] if capitals else None
            key = first.code if first else ""
            names[key] = str(first.name) if first else _("No capital")
            groups.setdefault(key, []).append((rec, capitals))
        for key in sorted(groups, key=lambda k: capitals_order.get(k, 99)):
            members = sorted(
                groups[key],
                key=lambda pair: (
                    pair[0].status != Status.ADOPTED,
                    -supports[pair[0].pk].regions_backing,
                    -supports[pair[0].pk].total,
                    pair[0].pk,
                ),
            )
            items = []
            quotes: list[Quote] = []
            for rec, capitals in members:
                evidence = list(rec.evidence.all())
                items.append(
                    Item(
                        text=recommendation_text(rec, language),
                        detail=_detail(rec, supports[rec.pk], capitals)
                        + " · "
                        + evidence_note(evidence),
                        url=recommendation_url(base_url, rec),
                    )
                )
                quotes += _evidence_quotes(rec, evidence, base_url)
            sub.blocks.append(Items(items, title=names[key]))
            if quotes:
                sub.blocks.append(Quotes(quotes))
        section.subsections.append(sub)
    return section
