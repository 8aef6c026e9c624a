"""Themes, global trends and regional specificities, from approved themes syntheses only.

A report reads the most recently approved run of its scope (:func:`latest_approved`) through
:meth:`ThemeRun.published` and :func:`public_themes`: the organisers' reviewed themes, the
rejected ones left out. Quotes are the contributions the run chose, in their current words: a
contribution hidden since is not quoted, one anonymised by its author's erasure is quoted as
it now stands. Nothing is fitted again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityforum.analysis.text import CONCEPT_PREFIX
from cityforum.participation.models import Contribution, Visibility
from cityforum.programme.models import Region
from cityforum.synthesis.models import ThemeRun
from cityforum.synthesis.themes.review import public_themes, term_labels

from .blocks import Cell, Column, Notice, Paragraph, Quote, Quotes, Section, Source, Table
from .formatting import date_label, decimal, number, on_site, percent

#: Quotes per theme, per trend and per regional specificity.
QUOTES_PER_THEME = 3
QUOTES_PER_SPECIFICITY = 2
#: Concepts said more in a region than elsewhere, listed per region (strongest first).
CONCEPTS_PER_REGION = 5
#: The longest quote, in characters.
QUOTE_CHARS = 360


def excerpt(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " […]"


def approver(run: ThemeRun) -> str:
    """Who approved the run, by display name (never the e-mail address)."""
    return run.approved_by.public_name if run.approved_by_id else _("an organiser")


def run_source(run: ThemeRun, base_url: str) -> Source:
    scope = run.consultation.title if run.consultation_id else _("all consultations")
    reference = _(
        "Themes synthesis no. %(id)d (%(scope)s) of %(n)s contributions, computed on "
        "%(computed)s, approved by %(approver)s on %(approved)s"
    ) % {
        "id": run.pk,
        "scope": scope,
        "n": number(run.n_contributions),
        "computed": date_label(run.finished_at),
        "approver": approver(run),
        "approved": date_label(run.approved_at),
    }
    return Source(reference, on_site(base_url, reverse("synthesis:theme_run", args=[run.pk])))


class Published:
    """An approved run's public document, read once, in the reader's language."""

    def __init__(self, run: ThemeRun, language: str, base_url: str) -> None:
        self.run, self.language, self.base_url = run, language, base_url
        self.document = run.published()
        self.themes = public_themes(self.document)
        self.by_id = {t["id"]: t for t in self.themes}
        names = self.document.get("regions", {})
        self.region_names = {
            code: (_("Region unknown") if code == "none" else labels.get(language, code))
            for code, labels in names.items()
        }
        self.source = run_source(run, base_url)

    def label(self, theme: dict[str, Any]) -> str:
        labels = theme.get("labels", {})
        return str(labels.get(self.language) or labels.get("en") or theme["id"])

    def region(self, code: str) -> str:
        return self.region_names.get(code, code)

    def quotes(self, ids: Iterable[int], limit: int) -> list[Quote]:
        """The first ``limit`` of these contributions that are still visible, in their current
        words (at most :data:`QUOTE_CHARS` characters, cut at a word)."""
        wanted = list(dict.fromkeys(ids))[: limit * 4]
        rows = {
            pk: (body, language, own or fallback or "none")
            for pk, body, language, own, fallback in Contribution.objects.filter(
                pk__in=wanted, status=Visibility.VISIBLE
            ).values_list("pk", "body", "language", "region__code", "consultation__region__code")
        }
        chosen = [pk for pk in wanted if pk in rows][:limit]
        return [
            Quote(
                text=excerpt(rows[pk][0]),
                language=rows[pk][1],
                where=self.region(rows[pk][2]),
                url=on_site(self.base_url, reverse("participation:contribution", args=[pk])),
                reference=_("Contribution no. %(id)d") % {"id": pk},
            )
            for pk in chosen
        ]

    def theme_quotes(self, theme: dict[str, Any], limit: int = QUOTES_PER_THEME) -> list[Quote]:
        return self.quotes([q["contribution"] for q in theme.get("quotes", [])], limit)


def key_words(terms: list[str], language: str, limit: int = 8) -> list[str]:
    """A theme's words as a reader should see them: the lexicon's concepts, named in the
    reader's language; a language's own stems (``univ (fr)``) only when it has no concept."""
    concepts = [t for t in terms if t.startswith(CONCEPT_PREFIX)]
    chosen = concepts[:limit] if concepts else terms[:limit]
    return [term_labels(t)[language] for t in chosen]


def no_synthesis_notice(scope_url: str = "") -> Notice:
    return Notice(
        _(
            "No synthesis of the contributions has been approved yet: the themes, with their "
            "quotes, appear here once an organiser has reviewed and approved one."
        ),
        url=scope_url,
    )


def themes_table(published: Published) -> Table:
    total = max(published.run.n_contributions, 1)
    rows = [
        [Cell(published.label(t)), Cell(number(t["size"])), Cell(percent(t["size"] / total))]
        for t in sorted(published.themes, key=lambda t: (-t["size"], t["id"]))
    ]
    return Table(
        caption=_("Themes of the contributions, largest first"),
        columns=[
            Column(_("Theme")),
            Column(_("Contributions"), True),
            Column(_("Share of the contributions"), True),
        ],
        rows=rows,
        source=published.source,
    )


def themes_section(run: ThemeRun | None, language: str, base_url: str) -> Section:
    """A consultation's themes, each with its key words and quotes."""
    section = Section("themes", _("Themes and quotes"))
    if run is None:
        section.blocks.append(no_synthesis_notice())
        return section
    published = Published(run, language, base_url)
    section.blocks.append(
        Paragraph(
            ngettext(
                "%(k)d theme emerges from the %(n)s visible contributions.",
                "%(k)d themes emerge from the %(n)s visible contributions.",
                len(published.themes),
            )
            % {"k": len(published.themes), "n": number(run.n_contributions)}
            + " "
            + _(
                "A contribution may belong to two themes. Quotes are contributions' own words, "
                "in the language they were written in, never translated."
            )
        )
    )
    section.blocks.append(themes_table(published))
    for theme in sorted(published.themes, key=lambda t: (-t["size"], t["id"])):
        sub = Section(f"theme-{theme['id']}", published.label(theme))
        words = ", ".join(key_words(theme["terms"], language))
        sub.blocks.append(
            Paragraph(
                ngettext(
                    "%(n)s contribution. Key words: %(words)s.",
                    "%(n)s contributions. Key words: %(words)s.",
                    theme["size"],
                )
                % {"n": number(theme["size"]), "words": words}
            )
        )
        quotes = published.theme_quotes(theme)
        if quotes:
            sub.blocks.append(Quotes(quotes))
        section.subsections.append(sub)
    return section


def _trend_row(published: Published, trend: dict[str, Any]) -> list[Cell]:
    theme = published.by_id[trend["theme"]]
    present = ", ".join(published.region(r) for r in trend["regions_present"]) or "—"
    where = _("%(k)d of %(n)d: %(regions)s") % {
        "k": len(trend["regions_present"]),
        "n": trend["regions_total"],
        "regions": present,
    }
    return [
        Cell(published.label(theme)),
        Cell(where),
        Cell(percent(trend["overall"])),
        Cell(decimal(trend["evenness"], 2)),
        Cell(_("yes") if trend["is_global"] else _("no")),
    ]


def trends_section(run: ThemeRun | None, language: str, base_url: str) -> Section:
    """The common global trends: themes present in most regions, with their quotes."""
    section = Section("trends", _("Common global trends"))
    if run is None:
        section.blocks.append(no_synthesis_notice())
        return section
    published = Published(run, language, base_url)
    trends = [t for t in published.document.get("trends", []) if t["theme"] in published.by_id]
    n_regions = max((t["regions_total"] for t in trends), default=0)
    section.blocks.append(
        Paragraph(
            _(
                "A theme is a global trend when it is present in at least two thirds of the "
                "%(n)d regions that contributed, and in a fair share of all contributions. It "
                "is present in a region when at least 3 of the region's contributions, and at "
                "least half its overall share, belong to it. Evenness runs from 0 (one region "
                "only) to 1 (the same share everywhere)."
            )
            % {"n": n_regions}
        )
    )
    global_ones = [t for t in trends if t["is_global"]]
    if not global_ones:
        section.blocks.append(
            Notice(
                _(
                    "No theme is a global trend yet: none is present in enough regions. The "
                    "most widespread themes are listed below."
                )
            )
        )
    section.blocks.append(
        Table(
            caption=_("Themes across the regions"),
            columns=[
                Column(_("Theme")),
                Column(_("Regions where present")),
                Column(_("Share of the contributions"), True),
                Column(_("Evenness"), True),
                Column(_("Global trend")),
            ],
            rows=[_trend_row(published, t) for t in trends],
            source=published.source,
        )
    )
    for trend in global_ones:
        theme = published.by_id[trend["theme"]]
        sub = Section(f"trend-{theme['id']}", published.label(theme))
        absent = ", ".join(published.region(r) for r in trend["regions_absent"])
        words = _(
            "Present in %(k)d of %(n)d regions (%(present)s), in %(share)s of all "
            "contributions; evenness %(evenness)s."
        ) % {
            "k": len(trend["regions_present"]),
            "n": trend["regions_total"],
            "present": ", ".join(published.region(r) for r in trend["regions_present"]),
            "share": percent(trend["overall"]),
            "evenness": decimal(trend["evenness"], 2),
        }
        if absent:
            words += " " + _("Absent in: %(absent)s.") % {"absent": absent}
        sub.blocks.append(Paragraph(words))
        quotes = published.theme_quotes(theme)
        if quotes:
            sub.blocks.append(Quotes(quotes))
        section.subsections.append(sub)
    return section


def _specificity_row(published: Published, s: dict[str, Any]) -> list[Cell]:
    label = s["labels"].get(published.language) or s["key"]
    kind = _("theme") if s["kind"] == "theme" else _("word")
    return [
        Cell(label),
        Cell(kind),
        Cell(number(s["count"])),
        Cell(number(s["count_rest"])),
        Cell(decimal(s["z"], 1)),
    ]


def _specificity_table(published: Published, region: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        caption=_("Said more in %(region)s than elsewhere") % {"region": region},
        columns=[
            Column(_("Theme or word")),
            Column(_("Kind")),
            Column(_("In the region"), True),
            Column(_("In the other regions"), True),
            Column(_("z"), True),
        ],
        rows=[_specificity_row(published, s) for s in rows],
        source=published.source,
    )


def specificities_section(run: ThemeRun | None, language: str, base_url: str) -> Section:
    """Each region's specificities: the themes and words said there more than elsewhere, with
    the figures behind them and quotes from the region's contributions."""
    section = Section("specificities", _("Regional specificities"))
    if run is None:
        section.blocks.append(no_synthesis_notice())
        return section
    published = Published(run, language, base_url)
    section.blocks.append(
        Paragraph(
            _(
                "A theme or a word is specific to a region when the region's contributions use "
                "it clearly more than the others' do (weighted log-odds with an informative "
                "prior, z above 1.96 after a false-discovery-rate correction). The figures are "
                "the contributions (for a theme) or the mentions (for a word) behind each one, "
                "in the region and in all the others; the larger z, the clearer the difference. "
                "The quotes come from the region's contributions behind the first line."
            )
        )
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for s in published.document.get("specificities", []):
        if s["kind"] == "theme" and int(s["key"]) not in published.by_id:
            continue
        found.setdefault(s["region"], []).append(s)
    if not found:
        section.blocks.append(
            Notice(
                _(
                    "No region stands out: no theme or word is said clearly more in one region "
                    "than in the others (with a single region, none can)."
                )
            )
        )
        return section
    order = {r.code: (r.order, r.code) for r in Region.objects.all()}
    for code in sorted(found, key=lambda c: order.get(c, (10**6, c))):
        items = found[code]
        themes = sorted((s for s in items if s["kind"] == "theme"), key=lambda s: -s["z"])
        words = sorted((s for s in items if s["kind"] != "theme"), key=lambda s: -s["z"])
        shown = themes + words[:CONCEPTS_PER_REGION]
        sub = Section(f"specific-{code}", published.region(code))
        sub.blocks.append(_specificity_table(published, published.region(code), shown))
        if len(words) > CONCEPTS_PER_REGION:
            sub.blocks.append(
                Paragraph(
                    ngettext(
                        "%(n)d other word is said more here than elsewhere (see the synthesis).",
                        "%(n)d other words are said more here than elsewhere (see the synthesis).",
                        len(words) - CONCEPTS_PER_REGION,
                    )
                    % {"n": len(words) - CONCEPTS_PER_REGION}
                )
            )
        evidence = published.quotes(shown[0].get("contributions", []), QUOTES_PER_SPECIFICITY)
        if evidence:
            sub.blocks.append(Quotes(evidence))
        section.subsections.append(sub)
    return section
