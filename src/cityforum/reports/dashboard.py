"""What the organisers' dashboard shows: live participation, the moderation backlog, and which
syntheses are stale or awaiting approval.

Participation is counted as in the reports (:mod:`.participation_figures`), in total and over
the last :data:`RECENT_DAYS` days. A synthesis is *stale* when its input changed after it
finished: for an opinion map, a vote cast or changed, a statement moderated, or a different
number of votes; for an approved themes synthesis, a contribution written, edited or moderated,
or a different number of visible contributions. Comparing timestamps and counts costs a few
indexed queries; recomputing the input checksum would read every vote.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.drafting.models import Amendment, AmendmentComment, Document, DraftingReport
from cityforum.drafting.models import Visibility as DraftingVisibility
from cityforum.participation.models import Comment, Contribution, Report, Visibility
from cityforum.people.rules import is_organiser
from cityforum.programme.models import Consultation
from cityforum.statements.models import Statement, Vote
from cityforum.synthesis.models import OpinionMapRun, ThemeRun
from cityforum.synthesis.themes.services import MIN_CONTRIBUTIONS

from .participation_figures import (
    anonymous_voters,
    contributions,
    kind_shares,
    people,
    region_shares,
    votes,
)
from .provenance_section import latest_approved_summary, latest_opinion_summary

RECENT_DAYS = 7


@dataclass(frozen=True)
class Count:
    total: int
    recent: int


@dataclass(frozen=True)
class Row:
    label: str
    participants: Count
    contributions: Count
    votes: Count
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Synthesis:
    scope: str
    what: str
    state: str  # "stale", "awaiting", "current", "missing"
    words: str
    url: str = ""


@dataclass
class Backlog:
    pending_statements: list[tuple[str, int, str]] = field(default_factory=list)
    open_reports: int = 0
    open_drafting_reports: int = 0
    hidden: int = 0
    hidden_recent: int = 0
    pending_amendments: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            sum(n for _l, n, _u in self.pending_statements)
            + self.open_reports
            + self.open_drafting_reports
            + sum(n for _l, n, _u in self.pending_amendments)
        )


def visible_consultations(user: Any) -> list[Consultation]:
    """Organisers see every consultation; moderators the thematic ones and their regions'."""
    rows = Consultation.objects.select_related("region", "forum").order_by(
        "-forum__edition", "order", "pk"
    )
    if not is_organiser(user):
        rows = rows.filter(Q(region__isnull=True) | Q(region__in=user.moderated_regions.all()))
    return list(rows)


def _participants(scope: list[int], since: dt.datetime | None) -> int:
    return people(scope, since).count() + anonymous_voters(scope, since)


def by_consultation(consultations: list[Consultation], since: dt.datetime) -> list[Row]:
    rows = []
    for c in consultations:
        scope = [c.pk]
        rows.append(
            Row(
                label=c.title,
                participants=Count(_participants(scope, None), _participants(scope, since)),
                contributions=Count(
                    contributions(scope).count(), contributions(scope, since).count()
                ),
                votes=Count(votes(scope).count(), votes(scope, since).count()),
                url=reverse("reports:consultation", args=[c.slug]),
                note=str(c.get_status_display()),
            )
        )
    return rows


def _merge(total: list[Any], recent: list[Any], keep: set[str] | None = None) -> list[Row]:
    latest = {s.code: s for s in recent}
    rows = []
    for s in total:
        if keep is not None and s.code not in keep:
            continue
        r = latest[s.code]
        if not (s.participants or s.contributions or s.votes):
            continue
        rows.append(
            Row(
                s.label,
                Count(s.participants, r.participants),
                Count(s.contributions, r.contributions),
                Count(s.votes, r.votes),
            )
        )
    return rows


def by_region(consultations: list[Consultation], since: dt.datetime, user: Any) -> list[Row]:
    scope = [c.pk for c in consultations]
    keep = None
    if not is_organiser(user):
        keep = set(user.moderated_regions.values_list("code", flat=True))
    return _merge(region_shares(scope), region_shares(scope, since), keep)


def by_kind(consultations: list[Consultation], since: dt.datetime) -> list[Row]:
    scope = [c.pk for c in consultations]
    return _merge(kind_shares(scope), kind_shares(scope, since))


def backlog(consultations: list[Consultation], since: dt.datetime) -> Backlog:
    scope = [c.pk for c in consultations]
    found = Backlog()
    for c in consultations:
        n = Statement.objects.filter(consultation=c, status=Statement.Status.PENDING).count()
        if n:
            found.pending_statements.append(
                (c.title, n, reverse("statements:moderation", args=[c.slug]))
            )
    found.open_reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .filter(
            Q(contribution__consultation__in=scope)
            | Q(comment__contribution__consultation__in=scope)
        )
        .count()
    )
    found.open_drafting_reports = DraftingReport.objects.filter(
        resolved_at__isnull=True, comment__amendment__article__document__consultation__in=scope
    ).count()
    hidden = [
        Contribution.objects.filter(consultation__in=scope, status=Visibility.HIDDEN),
        Comment.objects.filter(contribution__consultation__in=scope, status=Visibility.HIDDEN),
        Amendment.objects.filter(
            article__document__consultation__in=scope, visibility=DraftingVisibility.HIDDEN
        ),
        AmendmentComment.objects.filter(
            amendment__article__document__consultation__in=scope,
            visibility=DraftingVisibility.HIDDEN,
        ),
    ]
    found.hidden = sum(rows.count() for rows in hidden)
    found.hidden_recent = sum(rows.filter(moderated_at__gte=since).count() for rows in hidden)
    pending = Counter(
        Amendment.objects.filter(
            article__document__consultation__in=scope,
            status=Amendment.Status.PENDING,
            visibility=DraftingVisibility.VISIBLE,
        ).values_list("article__document__slug", flat=True)
    )
    for document in Document.objects.filter(slug__in=pending).order_by("slug"):
        found.pending_amendments.append(
            (
                document.title,
                pending[document.slug],
                reverse("drafting:document", args=[document.slug]),
            )
        )
    return found


def _opinion_state(c: Consultation) -> Synthesis | None:
    what = _("Opinion map")
    run = latest_opinion_summary(c)
    rows = Vote.objects.filter(statement__consultation=c)
    n_votes = rows.count()
    if run is None:
        if not n_votes:
            return None
        return Synthesis(
            c.title,
            what,
            "missing",
            _("%(n)d votes, no opinion map computed yet.") % {"n": n_votes},
            reverse("synthesis:opinion", args=[c.slug]),
        )
    url = reverse("synthesis:opinion", args=[c.slug])
    last_vote = rows.aggregate(m=Max("updated_at"))["m"]
    moderated = Statement.objects.filter(consultation=c).aggregate(m=Max("moderated_at"))["m"]
    return _freshness(
        c.title,
        what,
        run,
        url,
        n_votes != run.n_votes,
        [last_vote, moderated],
        _("votes or statements changed since it was computed"),
    )


def _freshness(
    scope: str,
    what: str,
    run: OpinionMapRun | ThemeRun,
    url: str,
    count_changed: bool,
    moments: list[dt.datetime | None],
    because: str,
) -> Synthesis:
    finished = run.finished_at or run.created_at
    changed = count_changed or any(m is not None and m > finished for m in moments)
    if changed:
        words = _("No. %(id)d is stale: %(because)s.") % {"id": run.pk, "because": because}
        return Synthesis(scope, what, "stale", words, url)
    words = _("No. %(id)d is up to date.") % {"id": run.pk}
    return Synthesis(scope, what, "current", words, url)


def _themes_states(c: Consultation | None) -> list[Synthesis]:
    scope = c.title if c is not None else _("all consultations")
    what = _("Themes synthesis")
    rows = Contribution.objects.all() if c is None else Contribution.objects.filter(consultation=c)
    states = []
    approved = latest_approved_summary(c)
    waiting = ThemeRun.objects.filter(
        consultation=c, status=ThemeRun.Status.DONE, approved_at__isnull=True
    ).defer("result", "assignment", "reviewed")
    if approved is not None:
        waiting = waiting.filter(created_at__gt=approved.created_at)
    for run in waiting.order_by("-created_at")[:3]:
        states.append(
            Synthesis(
                scope,
                what,
                "awaiting",
                _("No. %(id)d (%(n)d contributions) is awaiting approval.")
                % {"id": run.pk, "n": run.n_contributions},
                reverse("synthesis:review_themes", args=[run.pk]),
            )
        )
    if approved is not None:
        visible = rows.filter(status=Visibility.VISIBLE).count()
        moments = rows.aggregate(
            a=Max("created_at"), b=Max("updated_at"), c=Max("moderated_at")
        ).values()
        states.append(
            _freshness(
                scope,
                what,
                approved,
                reverse("synthesis:theme_run", args=[approved.pk]),
                visible != approved.n_contributions,
                list(moments),
                _("contributions changed since it was computed"),
            )
        )
    elif not states and rows.filter(status=Visibility.VISIBLE).count() >= MIN_CONTRIBUTIONS:
        states.append(
            Synthesis(scope, what, "missing", _("Enough contributions, no synthesis yet."))
        )
    return states


def syntheses(consultations: list[Consultation], user: Any) -> list[Synthesis]:
    """Every synthesis an organiser should look at, stale and awaiting ones first."""
    found: list[Synthesis] = []
    if is_organiser(user):
        found += _themes_states(None)
    for c in consultations:
        opinion = _opinion_state(c)
        if opinion is not None:
            found.append(opinion)
        found += _themes_states(c)
    order = {"stale": 0, "awaiting": 1, "missing": 2, "current": 3}
    return sorted(found, key=lambda s: order[s.state])


def dashboard_context(user: Any) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    consultations = visible_consultations(user)
    return {
        "since": since,
        "recent_days": RECENT_DAYS,
        "consultations": by_consultation(consultations, since),
        "regions": by_region(consultations, since, user),
        "kinds": by_kind(consultations, since),
        "backlog": backlog(consultations, since),
        "syntheses": syntheses(consultations, user),
        "whole": is_organiser(user),
        "updated_at": timezone.now(),
    }
