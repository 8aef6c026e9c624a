"""The "who took part" section: counts by region, organisation type, language and over time.

Only numbers: no participant is named, and a figure is never broken down so finely that it
could point at one person (no list of people, organisations or cities behind a count).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .blocks import Block, Cell, Chart, Column, Fact, Facts, Notice, Section, Source, Table
from .charts import ACCENT, MUTED, BarInput, bars
from .formatting import date_label, number, percent
from .participation_figures import ANONYMOUS, Participation, Share


def _nonzero(shares: list[Share]) -> list[Share]:
    return [s for s in shares if s.participants or s.contributions or s.votes]


def _share_table(caption: str, label: str, shares: list[Share], source: Source) -> Table:
    return Table(
        caption=caption,
        columns=[
            Column(label),
            Column(_("Participants"), True),
            Column(_("Contributions"), True),
            Column(_("Votes"), True),
        ],
        rows=[
            [
                Cell(s.label),
                Cell(number(s.participants)),
                Cell(number(s.contributions)),
                Cell(number(s.votes)),
            ]
            for s in shares
        ],
        source=source,
    )


def participation_section(figures: Participation, source: Source) -> Section:
    """The section for one consultation or the whole forum."""
    section = Section("participation", _("Who took part"))
    if not figures.participants and not figures.contributions:
        section.blocks.append(
            Notice(_("Nobody has taken part yet: no contribution, no vote, no comment."))
        )
        return section
    facts = [
        Fact(_("Participants"), number(figures.participants)),
        Fact(_("Signed-in participants"), number(figures.signed_in)),
        Fact(_("Anonymous or imported voters"), number(figures.anonymous_voters)),
        Fact(_("Contributions"), number(figures.contributions)),
        Fact(_("Statements put to the vote"), number(figures.statements)),
        Fact(_("Votes"), number(figures.votes)),
        Fact(_("Comments"), number(figures.comments)),
        Fact(_("Endorsements"), number(figures.endorsements)),
        Fact(_("Organisations"), number(figures.organisations)),
        Fact(_("Cities"), number(figures.cities)),
        Fact(_("Countries"), number(figures.countries)),
    ]
    if figures.first and figures.last:
        facts.append(
            Fact(
                _("Period"),
                _("%(first)s to %(last)s")
                % {"first": date_label(figures.first), "last": date_label(figures.last)},
            )
        )
    section.blocks.append(Facts(facts, source=source))
    regions = _nonzero(figures.by_region)
    section.subsections.append(_by_region(regions, figures, source))
    kinds = _nonzero(figures.by_kind)
    by_kind = Section("participation-organisations", _("By organisation type"))
    by_kind.blocks.append(
        _share_table(_("Participation by organisation type"), _("Organisation type"), kinds, source)
        if kinds
        else Notice(_("No participant belongs to an organisation."))
    )
    section.subsections.append(by_kind)
    section.subsections.append(_by_language(figures, source))
    section.subsections.append(_over_time(figures, source))
    if figures.hidden_contributions:
        section.blocks.append(
            Notice(
                _(
                    "%(n)s contributions hidden by the moderators, with a reason their authors "
                    "can read, are not counted."
                )
                % {"n": number(figures.hidden_contributions)}
            )
        )
    return section


def _by_region(regions: list[Share], figures: Participation, source: Source) -> Section:
    sub = Section("participation-regions", _("By region"))
    written = [s for s in regions if s.code != ANONYMOUS and s.contributions]
    total = max(figures.contributions, 1)
    inputs = [
        BarInput(
            s.label,
            s.contributions,
            f"{number(s.contributions)} ({percent(s.contributions / total)})",
            ACCENT if s.code != "unknown" else MUTED,
        )
        for s in written
    ]
    drawing = bars(inputs) if len(inputs) >= 2 else None
    table = _share_table(_("Participation by region"), _("Region"), regions, source)
    blocks: list[Block] = []
    if drawing is not None:
        description = _("Contributions by region: %(shares)s.") % {
            "shares": "; ".join(f"{s.label} {number(s.contributions)}" for s in written)
        }
        blocks.append(
            Chart("bars", _("Contributions by region"), description, drawing, table, source)
        )
    else:
        blocks.append(table)
    sub.blocks = blocks
    return sub


def _by_language(figures: Participation, source: Source) -> Section:
    sub = Section("participation-languages", _("By language"))
    if not figures.by_language:
        sub.blocks.append(Notice(_("No contribution has been written yet.")))
        return sub
    sub.blocks.append(
        Table(
            caption=_("Contributions by the language they were written in"),
            columns=[
                Column(_("Language")),
                Column(_("Contributions"), True),
                Column(_("Share"), True),
            ],
            rows=[
                [
                    Cell(s.label),
                    Cell(number(s.contributions)),
                    Cell(percent(s.contributions / max(figures.contributions, 1))),
                ]
                for s in figures.by_language
            ],
            source=source,
        )
    )
    return sub


def _over_time(figures: Participation, source: Source) -> Section:
    sub = Section("participation-time", _("Over time"))
    if not figures.periods:
        sub.blocks.append(Notice(_("No contribution or vote has been recorded yet.")))
        return sub
    sub.blocks.append(
        Table(
            caption=_("Contributions and votes over time (periods with activity)"),
            columns=[
                Column(_("Period")),
                Column(_("Contributions"), True),
                Column(_("Votes"), True),
            ],
            rows=[
                [Cell(p.label), Cell(number(p.contributions)), Cell(number(p.votes))]
                for p in figures.periods
            ],
            source=source,
        )
    )
    return sub
