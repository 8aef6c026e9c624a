"""Where the report's figures come from: who approved each synthesis and when, how each figure
is made, and the stored results behind them (run numbers, input checksums, parameters)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cityforum.programme.models import Consultation
from cityforum.synthesis.models import OpinionMapRun, ThemeRun

from .blocks import Block, Cell, Column, Item, Items, Paragraph, Section, Source, Table
from .formatting import date_label, number, on_site
from .themes_sections import approver


def latest_approved_summary(consultation: Consultation | None) -> ThemeRun | None:
    """:func:`~cityforum.synthesis.themes.services.latest_approved` without the stored
    documents: what the approvals, the appendix and the dashboard need, read cheaply."""
    return (
        ThemeRun.objects.filter(
            consultation=consultation, status=ThemeRun.Status.DONE, approved_at__isnull=False
        )
        .select_related("approved_by", "consultation")
        .defer("result", "assignment", "reviewed", "capitals_profile")
        .order_by("-approved_at", "-pk")
        .first()
    )


def latest_opinion_summary(consultation: Consultation) -> OpinionMapRun | None:
    """:func:`~cityforum.synthesis.opinion.services.latest_run` without its result and figures."""
    return (
        OpinionMapRun.objects.filter(consultation=consultation, status=OpinionMapRun.Status.DONE)
        .select_related("consultation")
        .defer("result", "figures")
        .order_by("-finished_at", "-pk")
        .first()
    )


def approvals_table(runs: list[ThemeRun], base_url: str) -> Block:
    """Every themes synthesis the report reads: its scope, who approved it and when."""
    if not runs:
        return Paragraph(_("No themes synthesis has been approved yet."))
    return Table(
        caption=_("Approved themes syntheses used in this document"),
        columns=[
            Column(_("Synthesis")),
            Column(_("Scope")),
            Column(_("Contributions"), True),
            Column(_("Computed on")),
            Column(_("Approved by")),
            Column(_("Approved on")),
        ],
        rows=[
            [
                Cell(
                    _("no. %(id)d") % {"id": run.pk},
                    on_site(base_url, reverse("synthesis:theme_run", args=[run.pk])),
                ),
                Cell(run.consultation.title if run.consultation_id else _("all consultations")),
                Cell(number(run.n_contributions)),
                Cell(date_label(run.finished_at)),
                Cell(approver(run)),
                Cell(date_label(run.approved_at)),
            ]
            for run in runs
        ],
    )


def opinion_table(runs: list[OpinionMapRun], base_url: str) -> Block:
    if not runs:
        return Paragraph(_("No opinion map has been computed yet."))
    return Table(
        caption=_("Opinion maps used in this document (the latest of each consultation)"),
        columns=[
            Column(_("Opinion map")),
            Column(_("Consultation")),
            Column(_("Votes"), True),
            Column(_("Computed on")),
            Column(_("Input checksum")),
        ],
        rows=[
            [
                Cell(
                    _("no. %(id)d") % {"id": run.pk},
                    on_site(base_url, reverse("synthesis:opinion", args=[run.consultation.slug])),
                ),
                Cell(run.consultation.title),
                Cell(number(run.n_votes)),
                Cell(date_label(run.finished_at)),
                Cell(run.input_sha256[:12]),
            ]
            for run in runs
        ],
    )


def parameters_table(runs: list[ThemeRun]) -> Block:
    """What it takes to reproduce each approved synthesis."""
    return Table(
        caption=_("How to reproduce the themes syntheses"),
        columns=[
            Column(_("Synthesis")),
            Column(_("Input checksum")),
            Column(_("Themes"), True),
            Column(_("Seed"), True),
            Column(_("Engine")),
        ],
        rows=[
            [
                Cell(_("no. %(id)d") % {"id": run.pk}),
                Cell(run.input_sha256[:12]),
                Cell(str(run.parameters.get("n_themes", "—"))),
                Cell(str(run.seed)),
                Cell(run.engine_version.split(";")[0][:60]),
            ]
            for run in runs
        ],
    )


def method_notes(*, forum: bool) -> list[Block]:
    """How each figure is made, in words a mayor's office can check."""
    notes = [
        Item(
            _("Participants"),
            _(
                "People signed in who contributed, commented, endorsed, voted, or proposed a "
                "statement or an amendment, each counted once, plus every anonymous or imported "
                "voter. Their region is that of their organisation's country, else of their "
                "city's. Contributions hidden by the moderators are left out."
            ),
        ),
        Item(
            _("Opinion map"),
            _(
                "The Pol.is method: participants who vote alike on the statements are grouped; "
                "a consensus statement is one most participants agree (or disagree) on in every "
                "group. Read from the latest opinion map the organisers computed; statements "
                "rejected since are left out."
            ),
        ),
        Item(
            _("Themes"),
            _(
                "Contributions in every language are mapped to a shared vocabulary of concepts "
                "(so that “eau”, “agua” and “water” meet) and grouped into themes. Organisers "
                "review the themes (rename, merge, split, reject) and approve them; only "
                "approved syntheses appear here. Quotes are chosen by the synthesis, at most "
                "two per region, and printed as written."
            ),
        ),
        Item(
            _("Capitals"),
            _(
                "Each contribution carries one to three of the five capitals of resilience, "
                "chosen by its author and confirmed or corrected by moderators. The profile is "
                "the one recorded when the synthesis was approved."
            ),
        ),
    ]
    if forum:
        notes.append(
            Item(
                _("Global trends and regional specificities"),
                _(
                    "Computed over all consultations, each contribution counting for the region "
                    "it speaks for. Every claim lists the contributions behind it on the "
                    "synthesis page."
                ),
            )
        )
    notes.append(
        Item(
            _("Privacy"),
            _(
                "This document shows aggregate figures, the organisations that signed, and "
                "contributions' and statements' own words, never a participant's name, e-mail "
                "address or individual vote."
            ),
        )
    )
    return [Items(notes)]


def appendix_section(
    themes: list[ThemeRun], opinions: list[OpinionMapRun], language: str, base_url: str
) -> Section:
    """The forum report's data appendix: how to reproduce each synthesis it reads (the
    approvals are their own section), and where the open data is."""
    section = Section("appendix", _("Data appendix"), major=False)
    if themes:
        section.blocks.append(parameters_table(themes))
    section.blocks.append(opinion_table(opinions, base_url))
    opendata = on_site(base_url, f"/{language}/opendata/")
    api = on_site(base_url, "/api/v1/docs")
    section.blocks.append(
        Items(
            [
                Item(
                    _("Open data"),
                    _(
                        "The contributions, statements and anonymised votes behind this "
                        "document, as CSV and JSON files."
                    ),
                    opendata,
                ),
                Item(
                    _("API"),
                    _("Every stored synthesis, with its parameters and checksums."),
                    api,
                ),
            ],
            source=Source(_("The forum's platform"), on_site(base_url, "/")),
        )
    )
    return section
