"""What the forum and each consultation were for: the programme, as the organisers entered it,
and the consultations at a glance with links to their own reports."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cityforum.programme.models import Capital, Consultation, Forum

from .blocks import Block, Cell, Column, Fact, Facts, Item, Items, Paragraph, Section, Source, Table
from .formatting import date_label, number, on_site
from .participation_figures import anonymous_voters, contributions, people, votes
from .provenance_section import latest_approved_summary, latest_opinion_summary


def _where(consultation: Consultation) -> str:
    if consultation.kind == Consultation.Kind.THEMATIC:
        return _("Thematic consultation")
    return str(consultation.region.name) if consultation.region_id else "—"


def _capitals(consultation: Consultation) -> str:
    capitals = list(consultation.capitals.all())
    if len(capitals) == len(Capital.Code.choices):
        return _("All five capitals")
    return ", ".join(str(c.name) for c in capitals) or "—"


def report_url(consultation: Consultation, base_url: str) -> str:
    return on_site(base_url, reverse("reports:consultation", args=[consultation.slug]))


def purpose_facts(consultation: Consultation, base_url: str) -> list[Block]:
    """Vision, objective and expected output, with the consultation's kind, date and status."""
    page = on_site(base_url, reverse("programme:consultation", args=[consultation.slug]))
    facts = [
        Fact(_("Vision"), consultation.vision or "—"),
        Fact(_("Objective"), consultation.objective or "—"),
        Fact(_("Expected output"), consultation.expected_output or "—"),
        Fact(_("Kind"), _where(consultation)),
        Fact(
            _("Date"),
            date_label(consultation.date) if consultation.date else _("Date to be confirmed"),
        ),
        Fact(_("Capitals"), _capitals(consultation)),
        Fact(_("Status"), str(consultation.get_status_display())),
    ]
    return [Facts(facts, source=Source(_("The forum's programme"), page))]


def programme_section(forum: Forum, consultations: list[Consultation], base_url: str) -> Section:
    """The forum, its consultations (dates, capitals, status) and its reference documents."""
    section = Section("programme", _("The forum and its programme"))
    if forum.description:
        section.blocks.append(Paragraph(forum.description))
    home = on_site(base_url, reverse("programme:home"))
    source = Source(_("The forum's programme"), home)
    section.blocks.append(
        Facts(
            [
                Fact(_("Edition"), number(forum.edition)),
                Fact(_("Host"), forum.host),
                Fact(
                    _("Period"),
                    _("%(first)s to %(last)s")
                    % {"first": date_label(forum.starts_on), "last": date_label(forum.ends_on)},
                ),
                Fact(_("Consultations"), number(len(consultations))),
            ],
            source=source,
        )
    )
    section.blocks.append(
        Table(
            caption=_("The consultations"),
            columns=[
                Column(_("Consultation")),
                Column(_("Date")),
                Column(_("Kind")),
                Column(_("Capitals")),
                Column(_("Status")),
            ],
            rows=[
                [
                    Cell(c.title, report_url(c, base_url)),
                    Cell(date_label(c.date) if c.date else _("to be confirmed")),
                    Cell(_where(c)),
                    Cell(_capitals(c)),
                    Cell(str(c.get_status_display())),
                ]
                for c in consultations
            ],
            source=source,
        )
    )
    thematic = [c for c in consultations if c.kind == Consultation.Kind.THEMATIC]
    if thematic:
        sub = Section("programme-thematic", _("The thematic consultations"))
        sub.blocks.append(
            Items(
                [
                    Item(
                        text=c.title,
                        detail=_(
                            "Vision: %(vision)s Objective: %(objective)s "
                            "Expected output: %(output)s"
                        )
                        % {
                            "vision": _sentence(c.vision),
                            "objective": _sentence(c.objective),
                            "output": _sentence(c.expected_output),
                        },
                        url=report_url(c, base_url),
                    )
                    for c in thematic
                ]
            )
        )
        section.subsections.append(sub)
    references = list(forum.references.all())
    if references:
        sub = Section("programme-references", _("What the forum builds on"))
        sub.blocks.append(
            Items(
                [
                    Item(
                        text=f"{r.title} ({r.year})"
                        if r.year and str(r.year) not in r.title
                        else r.title,
                        detail=r.summary,
                        url=r.url,
                    )
                    for r in references
                ]
            )
        )
        section.subsections.append(sub)
    return section


def _sentence(text: str) -> str:
    text = (text or "—").strip()
    return text if text.endswith((".", "!", "?", "—")) else text + "."


def consultations_section(consultations: list[Consultation], base_url: str) -> Section:
    """Each consultation's main figures and what has been synthesised, with its report."""
    section = Section("consultations", _("The consultations at a glance"))
    rows = []
    for c in consultations:
        scope = [c.pk]
        opinion = latest_opinion_summary(c)
        themes = latest_approved_summary(c)
        rows.append(
            [
                Cell(c.title, report_url(c, base_url)),
                Cell(number(people(scope).count() + anonymous_voters(scope))),
                Cell(number(contributions(scope).count())),
                Cell(number(votes(scope).count())),
                Cell(
                    ngettext("%(k)d group", "%(k)d groups", opinion.n_groups)
                    % {"k": opinion.n_groups}
                    if opinion is not None
                    else "—"
                ),
                Cell(_("no. %(id)d") % {"id": themes.pk} if themes is not None else "—"),
            ]
        )
    section.blocks.append(
        Table(
            caption=_("Participation and syntheses per consultation"),
            columns=[
                Column(_("Consultation")),
                Column(_("Participants"), True),
                Column(_("Contributions"), True),
                Column(_("Votes"), True),
                Column(_("Opinion map")),
                Column(_("Approved themes synthesis")),
            ],
            rows=rows,
            source=Source(
                _("Count of the platform's records, and the syntheses listed in the appendix"),
                "",
            ),
        )
    )
    section.blocks.append(
        Paragraph(
            _(
                "Each consultation has its own report, with its opinion map, themes, quotes "
                "and outcome text: follow the consultation's name."
            )
        )
    )
    return section
