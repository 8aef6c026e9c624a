"""The opinion map and its consensus statements, from the consultation's latest finished run.

Everything comes from the stored run (:func:`cityforum.synthesis.opinion.page.page_context`
reads its ``figures``, never the votes): the groups, the statements that set each one apart,
the statements most participants agree or disagree on whatever their group, and the map.
A statement rejected since the run is left out, as on the site.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cityforum.programme.models import Consultation
from cityforum.synthesis.models import OpinionMapRun
from cityforum.synthesis.opinion.page import page_context
from cityforum.synthesis.opinion.services import latest_run

from .blocks import Cell, Chart, Column, Fact, Facts, Item, Items, Notice, Section, Source, Table
from .formatting import date_label, number, on_site, percent


def opinion_source(run: OpinionMapRun, base_url: str) -> Source:
    reference = _(
        "Opinion map no. %(id)d of “%(consultation)s”, computed on %(date)s from %(votes)s "
        "votes (input checksum %(sha)s)"
    ) % {
        "id": run.pk,
        "consultation": run.consultation.title,
        "date": date_label(run.finished_at),
        "votes": number(run.n_votes),
        "sha": run.input_sha256[:12],
    }
    url = on_site(base_url, reverse("synthesis:opinion", args=[run.consultation.slug]))
    return Source(reference, url)


def _statements(rows: list[dict[str, Any]]) -> list[Item]:
    return [Item(text=row["text"], detail=row["words"]) for row in rows]


def _cite_once(section: Section, source: Source) -> None:
    """The source under the subsection's last list of statements, not under each one."""
    for i in range(len(section.blocks) - 1, -1, -1):
        if isinstance(section.blocks[i], Items):
            section.blocks[i] = replace(section.blocks[i], source=source)
            return


def _groups_table(context: dict[str, Any], source: Source) -> Table:
    rows = [
        [
            Cell(_("Group %(label)s") % {"label": group["label"]}),
            Cell(number(group["size"])),
            Cell(percent(group["size"] / max(context["n_participants"], 1))),
        ]
        for group in context["groups"]
    ]
    if context["n_ungrouped"]:
        rows.append(
            [
                Cell(_("Not grouped")),
                Cell(number(context["n_ungrouped"])),
                Cell(percent(context["n_ungrouped"] / max(context["n_participants"], 1))),
            ]
        )
    return Table(
        caption=_("Group sizes"),
        columns=[Column(_("Group")), Column(_("Participants"), True), Column(_("Share"), True)],
        rows=rows,
        source=source,
    )


def opinion_section(consultation: Consultation, base_url: str) -> Section:
    """The section, or a plain notice when no opinion map was computed."""
    section = Section("opinion", _("Opinion map and consensus"))
    run = latest_run(consultation, with_result=False)
    if run is None or not run.figures:
        section.blocks.append(
            Notice(
                _(
                    "No opinion map has been computed for this consultation yet: its "
                    "statements have not been voted on, or the organisers have not computed "
                    "the map. Consensus statements appear here once they do."
                )
            )
        )
        return section
    context = page_context(run)
    source = opinion_source(run, base_url)
    section.blocks.append(
        Facts(
            [
                Fact(_("Participants on the map"), number(context["n_participants"])),
                Fact(_("Opinion groups"), number(len(context["groups"]))),
                Fact(_("Grouped participants"), number(context["n_grouped"])),
                Fact(_("Votes"), number(run.n_votes)),
            ]
        )
    )
    section.blocks.append(
        Chart(
            shape="map",
            title=_("Opinion map"),
            description=context["map_description"],
            drawing=context["map"],
            table=_groups_table(context, source),
            source=source,
        )
    )
    consensus = Section("consensus", _("Consensus: where participants agree across groups"))
    for side, title in (("agree", _("Most agree")), ("disagree", _("Most disagree"))):
        if context["consensus"][side]:
            consensus.blocks.append(
                Items(_statements(context["consensus"][side]), True, None, title)
            )
    if not consensus.blocks:
        consensus.blocks.append(Notice(_("No statement gathers a consensus.")))
    groups = Section("opinion-groups", _("What each group stands for"))
    for group in context["groups"]:
        heading = _("Group %(label)s (%(n)s participants)") % {
            "label": group["label"],
            "n": number(group["size"]),
        }
        if group["representative"]:
            groups.blocks.append(Items(_statements(group["representative"]), True, None, heading))
        else:
            groups.blocks.append(Notice(heading + " — " + _("No statement sets this group apart.")))
    for sub in (consensus, groups):
        _cite_once(sub, source)
    section.subsections = [consensus, groups]
    if context["divisive"]:
        divisive = Section("divisive", _("Statements that divide the groups"))
        divisive.blocks.append(Items(_statements(context["divisive"]), quoted=True, source=source))
        section.subsections.append(divisive)
    return section
