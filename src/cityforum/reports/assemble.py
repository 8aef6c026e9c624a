"""The two outcome documents as plain data, from stored results only.

- :func:`consultation_report`: what the consultation was for, who took part, its opinion map
  and consensus statements, its themes with quotes, its capitals profile, its outcome text and
  how each figure was made;
- :func:`forum_report`: the programme, who took part, the common global trends, each region's
  specificities with their evidence, the capital balance of the contributions and of the
  assessed cities, the recommendations by line of transformation and capital with their
  evidence and support, the Code of Conduct with its signatories, the consultations at a glance,
  who approved each synthesis and when, and a data appendix.

Syntheses are read, never computed: the latest finished opinion map of a consultation, the
latest *approved* themes synthesis of a scope. Participation figures are counts of the
platform's records at the time of printing (the cover says when). Everything is built in the
reader's language; ``base_url`` (``https://host``) makes the links absolute, for files read
away from the site.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityforum.programme.models import Consultation, Forum
from cityforum.synthesis.models import OpinionMapRun
from cityforum.synthesis.opinion.services import latest_run
from cityforum.synthesis.themes.services import latest_approved

from .blocks import Fact, Report, Section, Source
from .capitals_section import assessed_cities, contributions_profile
from .formatting import date_label, on_site
from .opinion_section import opinion_section
from .outcome_section import drafted_texts_section, outcome_section
from .participation_figures import participation
from .participation_section import participation_section
from .programme_section import consultations_section, programme_section, purpose_facts
from .provenance_section import (
    appendix_section,
    approvals_table,
    latest_approved_summary,
    latest_opinion_summary,
    method_notes,
    opinion_table,
    parameters_table,
)
from .recommendations_section import recommendations_section
from .themes_sections import specificities_section, themes_section, trends_section


def _language_name(code: str) -> str:
    return {"fr": _("French"), "en": _("English"), "es": _("Spanish")}.get(code, code)


def _records_source(url: str) -> Source:
    return Source(
        _("Count of the platform's records on %(date)s") % {"date": date_label(timezone.now())},
        url,
    )


def _provenance(url: str) -> str:
    return _(
        "This document is assembled by the platform of the World Forum of Intermediary Cities "
        "from its stored records and from the syntheses its organisers approved: nothing is "
        "recomputed to print it. Every figure names its source. Web version, with the links "
        "to every source: %(url)s"
    ) % {"url": url}


def consultation_report(consultation: Consultation, language: str, base_url: str = "") -> Report:
    """The report of one consultation, in ``language``."""
    with translation.override(language):
        forum = consultation.forum
        url = on_site(base_url, reverse("reports:consultation", args=[consultation.slug]))
        themes_run = latest_approved(consultation)
        opinion = latest_run(consultation, with_result=False)
        purpose = Section("purpose", _("What the consultation was for"))
        purpose.blocks = purpose_facts(consultation, base_url)
        figures = participation([consultation])
        records = _records_source(
            on_site(base_url, reverse("participation:list", args=[consultation.slug]))
        )
        themes_page = reverse("synthesis:consultation_themes", args=[consultation.slug])
        capitals = Section("capitals", _("Capitals profile"), major=False)
        capitals.blocks = contributions_profile(themes_run, base_url, themes_page)
        method = Section("method", _("Method notes"), major=False)
        method.blocks = [
            *method_notes(forum=False),
            approvals_table([themes_run] if themes_run else [], base_url),
            opinion_table([opinion] if opinion else [], base_url),
        ]
        if themes_run is not None:
            method.blocks.append(parameters_table([themes_run]))
        who = participation_section(figures, records)
        who.major = False
        sections = [
            purpose,
            who,
            opinion_section(consultation, base_url),
            themes_section(themes_run, language, base_url),
            capitals,
            outcome_section(consultation, language, base_url),
            method,
        ]
        return Report(
            kind="consultation",
            language=language,
            title=consultation.title,
            subtitle=forum.name,
            badge=_("Consultation report"),
            cover=_cover(forum, language, consultation),
            provenance=_provenance(url),
            sections=sections,
            file_stem=f"{forum.slug}-{consultation.slug}-report-{language}",
            url=url,
            as_of=date_label(timezone.now()),
        )


def forum_report(forum: Forum, language: str, base_url: str = "") -> Report:
    """The forum's outcome document, in ``language``."""
    with translation.override(language):
        consultations = list(
            Consultation.objects.filter(forum=forum)
            .select_related("region", "forum")
            .prefetch_related("capitals")
            .order_by("order", "date", "pk")
        )
        url = on_site(base_url, reverse("reports:forum"))
        overall = latest_approved(None)
        approved = ([overall] if overall else []) + [
            run for run in (latest_approved_summary(c) for c in consultations) if run is not None
        ]
        opinions: list[OpinionMapRun] = [
            run for run in (latest_opinion_summary(c) for c in consultations) if run
        ]
        records = _records_source(on_site(base_url, reverse("programme:home")))
        themes_page = reverse("synthesis:themes")
        capitals = Section("capitals", _("The balance of the five capitals"))
        in_contributions = Section("capitals-contributions", _("In the contributions"))
        in_contributions.blocks = contributions_profile(overall, base_url, themes_page)
        in_cities = Section("capitals-cities", _("In the assessed cities"))
        in_cities.blocks = assessed_cities(base_url)
        capitals.subsections = [in_contributions, in_cities]
        approvals = Section("approvals", _("Approvals"))
        approvals.blocks = [approvals_table(approved, base_url)]
        method = Section("method", _("Method notes"), major=False)
        method.blocks = method_notes(forum=True)
        sections = [
            programme_section(forum, consultations, base_url),
            participation_section(participation(consultations), records),
            trends_section(overall, language, base_url),
            specificities_section(overall, language, base_url),
            capitals,
            recommendations_section(language, base_url),
            drafted_texts_section(consultations, language, base_url),
            consultations_section(consultations, base_url),
            approvals,
            method,
            appendix_section(approved, opinions, language, base_url),
        ]
        return Report(
            kind="forum",
            language=language,
            title=forum.name,
            subtitle=forum.tagline,
            badge=_("Outcome document"),
            cover=_cover(forum, language),
            provenance=_provenance(url),
            sections=sections,
            file_stem=f"{forum.slug}-outcome-{language}",
            url=url,
            as_of=date_label(timezone.now()),
        )


def _cover(forum: Forum, language: str, consultation: Consultation | None = None) -> list[Fact]:
    facts = []
    if consultation is not None and forum.tagline:
        facts.append(Fact(_("Theme of the forum"), forum.tagline))
    if consultation is not None:
        facts.append(
            Fact(
                _("Date"),
                date_label(consultation.date) if consultation.date else _("Date to be confirmed"),
            )
        )
    else:
        facts.append(
            Fact(
                _("Period"),
                _("%(first)s to %(last)s")
                % {"first": date_label(forum.starts_on), "last": date_label(forum.ends_on)},
            )
        )
    facts.append(Fact(_("Host"), forum.host))
    facts.append(Fact(_("Language"), _language_name(language)))
    facts.append(Fact(_("State of the data"), date_label(timezone.now())))
    return facts
