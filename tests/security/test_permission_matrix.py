"""The permission matrix: every write action of the site and the API, tried by every role, and
what each role must get — read from one table (:data:`MATRIX`).

Roles: the public (signed out), a participant, a moderator of another region, a moderator of
the consultation's region (Africa) and an organiser. Outcomes: ``OK`` (allowed: the change is
made), ``401`` (sign in first), ``403`` (refused), ``404`` (not found for this person), and
once ``422`` (allowed, but the same person's second report of the same comment is invalid). Every
case checks both what the person is told and what the database holds afterwards: a refusal
writes nothing, an allowed action writes.

API calls authenticate with the person's bearer token; site calls are form posts by the
signed-in person through a client that enforces CSRF checks, carrying the CSRF token. On the
site, a refusal is a 403 or 404 page, a redirect to the sign-in page (401), or a redirect back
with an error message (counted as 403, or as 401 for the public); an allowed action redirects
without an error, or answers 200.

The forum is seeded once for the module (``forum``); each case runs in its own savepoint,
rolled back after it, so that every case starts from the same forum.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import ERROR, get_messages
from django.db import transaction
from django.db.models import Model
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve

from cityforum.drafting.models import (
    Amendment,
    AmendmentComment,
    AmendmentEndorsement,
    AmendmentVote,
    ArticleOpinion,
    ArticleSource,
    Document,
    DraftingReport,
    Signature,
)
from cityforum.participation.models import Comment, Contribution, Endorsement, Report
from cityforum.people.models import ApiToken, Organisation, User
from cityforum.programme.models import Consultation
from cityforum.recommendations.models import Evidence as RecommendationEvidence
from cityforum.recommendations.models import Recommendation, RecommendationEndorsement
from cityforum.statements.models import Statement, Vote
from cityforum.synthesis.capitals.models import CapitalTag
from cityforum.synthesis.themes.models import ThemeReview, ThemeRun

from .conftest import PASSWORD, ROLES, SECRET, Forum, build_forum

OK = "allowed"
Outcome = str | int


def outcomes(
    public: Outcome, participant: Outcome, other: Outcome, region: Outcome, organiser: Outcome
) -> dict[str, Outcome]:
    """Expected outcomes in the order of ROLES (the other region's moderator before the
    region's own)."""
    return dict(zip(ROLES, (public, participant, other, region, organiser), strict=True))


@dataclass
class Case:
    """One role acting: the forum, who acts, and what the row arranged for them."""

    forum: Forum
    role: str
    person: Any
    target: Any = None

    @property
    def pk(self) -> int:
        return self.target.pk


@dataclass(frozen=True)
class Action:
    """A row of the matrix.

    ``probe`` reads the state the action changes (before and after); ``api`` gives the
    request ``(method, path, body)`` on the API, ``site`` the form post ``(path, data)``;
    ``site_expect`` is given where the site answers differently from the API; ``arrange``
    makes the row's target for the person acting (their own contribution, token…). A row
    without ``probe`` changes nothing: its ``check`` reads what an allowed person got.
    """

    name: str
    expect: dict[str, Outcome]
    probe: Callable[[Case], Any] | None
    api: Callable[[Case], tuple[str, str, Any]] | None = None
    site: Callable[[Case], tuple[str, dict[str, Any]]] | None = None
    site_expect: dict[str, Outcome] | None = None
    arrange: Callable[[Case], Any] | None = None
    check: Callable[[Case, Any], None] | None = None
    site_method: str = "post"


# --- arrangements ---------------------------------------------------------------------------


def own_contribution(case: Case) -> Contribution:
    """The acting person's own contribution (the public's is someone else's)."""
    from cityforum.participation import services

    if case.role == "public":
        return case.forum.contribution
    return services.contribute(
        case.forum.consultation,
        case.person,
        type="proposal",
        title="My own proposal",
        body="Bus lanes on the main avenue.",
        language="en",
        capitals=["economic"],
    )


def own_token(case: Case) -> ApiToken:
    if case.role == "public":
        return case.forum.author.api_tokens.get()
    return ApiToken.issue(case.person)[0]


def unverified_organisation(case: Case) -> Organisation:
    return Organisation.objects.create(name="Rede Nova", kind="network", verified=False)


def frozen_document(case: Case) -> Document:
    from cityforum.drafting import services

    document = case.forum.document
    services.freeze_document(document, by=case.forum.people["organiser"])
    return document


def second_organiser(case: Case) -> None:
    """The last organiser may not erase their account: give the forum another one."""
    User.objects.create_user("second-organiser@security.example.org", PASSWORD, role="organiser")


def indicators(case: Case) -> str:
    """The indicator framework, and one CSV row of a plausible value for the seeded city."""
    from cityforum.assessments.models import Indicator
    from cityforum.assessments.seed import load_indicators

    load_indicators()
    indicator = Indicator.objects.filter(kind="linear").order_by("code").first()
    value = (indicator.worst + indicator.best) / 2
    return (
        "city,indicator,year,value,source,confidence\n"
        f"{case.forum.city.geonameid},{indicator.code},2024,{value},census 2024,high\n"
    )


def citation(case: Case) -> ArticleSource:
    from cityforum.drafting import services

    article = case.forum.document.articles.get(number=2)
    return services.cite(
        article, by=case.forum.people["organiser"], contribution=case.forum.contribution.pk
    )


def first_theme(case: Case) -> int:
    return int(case.forum.theme_run.result["themes"][0]["id"])


# --- probes ---------------------------------------------------------------------------------


def contribution(case: Case, pk: int | None = None) -> Contribution:
    return Contribution.objects.get(pk=pk or case.pk)


def token_exists(case: Case) -> bool:
    return ApiToken.objects.filter(pk=case.pk).exists()


def only_own_data(case: Case, response: Any) -> None:
    """A person's data download holds their own e-mail address and nobody else's."""
    text = response.content.decode()
    data = json.loads(text)
    assert data["profile"]["email"] == case.person.email
    others = [e for e in case.forum.emails if e != case.person.email]
    assert not [e for e in others if e in text]


# --- the matrix -----------------------------------------------------------------------------


def recommendation_fields(case: Case) -> dict[str, Any]:
    return {
        "text": "States give intermediary cities the means of their duties.",
        "language": "en",
        "consultations": [case.forum.consultation.pk],
        "capitals": ["economic"],
        "line": "financing",
        "addressee": "national",
        "pact_component": "government",
    }


def _organiser(case: Case) -> Any:
    return User.objects.filter(role="organiser").order_by("pk").first()


def a_recommendation(case: Case) -> Recommendation:
    from cityforum.recommendations import services

    fields = recommendation_fields(case)
    return services.draft_recommendation(by=_organiser(case), **fields)


def a_recommendation_with_evidence(case: Case) -> Recommendation:
    from cityforum.recommendations import services

    recommendation = a_recommendation(case)
    services.link_evidence(
        recommendation, "contribution", case.forum.contribution.pk, by=_organiser(case)
    )
    return recommendation


def a_piece_of_evidence(case: Case) -> Any:
    from cityforum.recommendations import services

    recommendation = a_recommendation(case)
    return services.link_evidence(
        recommendation, "contribution", case.forum.contribution.pk, by=_organiser(case)
    )


def an_endorsed_recommendation(case: Case) -> Recommendation:
    from cityforum.recommendations import services

    recommendation = a_recommendation(case)
    endorser = case.person if case.role != "public" else case.forum.author
    services.endorse(recommendation, by=endorser)
    return recommendation


def recommendation_contribution(case: Case) -> Contribution:
    from cityforum.programme.models import Capital

    contribution = Contribution.objects.create(
        consultation=case.forum.consultation,
        author=case.forum.author,
        type="recommendation",
        title="Fund the cities",
        body="National governments should transfer resources to intermediary cities.",
        language="en",
    )
    contribution.capitals.set(Capital.objects.filter(code="economic"))
    return contribution


F = "/en"

MATRIX: list[Action] = [
    # Consultations and statements
    Action(
        "consultation status change (open → closed)",
        expect=outcomes(401, 403, 403, 403, OK),
        probe=lambda c: Consultation.objects.get(pk=c.forum.consultation.pk).status,
        api=lambda c: ("PATCH", f"/consultations/{c.forum.consultation.pk}", {"status": "closed"}),
        site=lambda c: (
            "/admin/programme/consultation/",
            {"action": "move_to_closed", "_selected_action": [c.forum.consultation.pk]},
        ),
        # The back office sends everyone but organisers to its own sign-in page.
        site_expect=outcomes(401, 401, 401, 401, OK),
    ),
    Action(
        "statement add (propose)",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: c.forum.consultation.statements.count(),
        api=lambda c: (
            "POST",
            f"/consultations/{c.forum.consultation.pk}/statements",
            {"text": "Small towns need trains."},
        ),
        site=lambda c: (
            f"{F}/vote/{c.forum.consultation.slug}/propose/",
            {"text": "Small towns need trains."},
        ),
        # The voting page says "sign in to propose" rather than sending to the sign-in page.
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
    Action(
        "statement moderate (accept a pending one)",
        expect=outcomes(401, 403, 403, OK, OK),
        probe=lambda c: Statement.objects.get(pk=c.forum.pending_statement.pk).status,
        api=lambda c: (
            "POST",
            f"/statements/{c.forum.pending_statement.pk}/moderation",
            {"decision": "accept"},
        ),
        site=lambda c: (
            f"{F}/vote/statements/{c.forum.pending_statement.pk}/moderate/",
            {"decision": "accept", "reason": ""},
        ),
        site_expect=outcomes(403, 403, 403, OK, OK),
    ),
    Action(
        "statement vote",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: Vote.objects.filter(statement=c.forum.statement).count(),
        api=lambda c: (
            "POST",
            f"/consultations/{c.forum.consultation.pk}/votes",
            {"statement": c.forum.statement.pk, "value": 1},
        ),
        site=lambda c: (
            f"{F}/vote/{c.forum.consultation.slug}/",
            {"statement": c.forum.statement.pk, "value": "1"},
        ),
        # Anonymous voting is off: the page says so.
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
    # Contributions
    Action(
        "contribution create",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: c.forum.consultation.contributions.count(),
        api=lambda c: (
            "POST",
            f"/consultations/{c.forum.consultation.pk}/contributions",
            {
                "type": "proposal",
                "title": "Night buses",
                "body": "Buses after ten.",
                "language": "en",
                "capitals": ["economic"],
            },
        ),
        site=lambda c: (
            f"{F}/participate/consultations/{c.forum.consultation.slug}/contribute/",
            {
                "type": "proposal",
                "title": "Night buses",
                "body": "Buses after ten.",
                "language": "en",
                "capitals": ["economic"],
            },
        ),
    ),
    Action(
        "contribution edit (one's own)",
        expect=outcomes(401, OK, OK, OK, OK),
        arrange=own_contribution,
        probe=lambda c: contribution(c).title,
        api=lambda c: (
            "PATCH",
            f"/contributions/{c.pk}",
            {
                "type": "proposal",
                "title": "Edited",
                "body": "Bus lanes.",
                "language": "en",
                "capitals": ["economic"],
            },
        ),
        site=lambda c: (
            f"{F}/participate/contributions/{c.pk}/edit/",
            {
                "type": "proposal",
                "title": "Edited",
                "body": "Bus lanes.",
                "language": "en",
                "capitals": ["economic"],
            },
        ),
    ),
    Action(
        "contribution edit (another person's)",
        expect=outcomes(401, 403, 403, 403, 403),
        arrange=lambda c: c.forum.contribution,
        probe=lambda c: contribution(c).title,
        api=lambda c: (
            "PATCH",
            f"/contributions/{c.pk}",
            {
                "type": "proposal",
                "title": "Hijacked",
                "body": "Not mine.",
                "language": "en",
                "capitals": ["economic"],
            },
        ),
        site=lambda c: (
            f"{F}/participate/contributions/{c.pk}/edit/",
            {
                "type": "proposal",
                "title": "Hijacked",
                "body": "Not mine.",
                "language": "en",
                "capitals": ["economic"],
            },
        ),
    ),
    Action(
        "contribution hide",
        expect=outcomes(401, 403, 403, OK, OK),
        probe=lambda c: contribution(c, c.forum.contribution.pk).status,
        api=lambda c: (
            "POST",
            f"/contributions/{c.forum.contribution.pk}/moderation",
            {"action": "hide", "reason": "Off topic."},
        ),
        site=lambda c: (
            f"{F}/participate/contributions/{c.forum.contribution.pk}/moderate/",
            {"action": "hide", "reason": "Off topic."},
        ),
    ),
    Action(
        "contribution restore (a hidden one)",
        expect=outcomes(401, 404, 404, OK, OK),
        probe=lambda c: contribution(c, c.forum.hidden_contribution.pk).status,
        api=lambda c: (
            "POST",
            f"/contributions/{c.forum.hidden_contribution.pk}/moderation",
            {"action": "restore", "reason": "Not spam after all."},
        ),
        site=lambda c: (
            f"{F}/participate/contributions/{c.forum.hidden_contribution.pk}/moderate/",
            {"action": "restore", "reason": "Not spam after all."},
        ),
        # A hidden contribution does not exist for those who may not see it.
    ),
    Action(
        "contribution endorse",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: Endorsement.objects.filter(contribution=c.forum.contribution).count(),
        api=lambda c: ("POST", f"/contributions/{c.forum.contribution.pk}/endorsements", None),
        site=lambda c: (f"{F}/participate/contributions/{c.forum.contribution.pk}/endorse/", {}),
    ),
    Action(
        "contribution comment",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: Comment.objects.filter(contribution=c.forum.contribution).count(),
        api=lambda c: (
            "POST",
            f"/contributions/{c.forum.contribution.pk}/comments",
            {"body": "Agreed."},
        ),
        site=lambda c: (
            f"{F}/participate/contributions/{c.forum.contribution.pk}/comment/",
            {"body": "Agreed."},
        ),
    ),
    Action(
        "contribution report",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: Report.objects.filter(contribution=c.forum.contribution).count(),
        api=lambda c: (
            "POST",
            f"/contributions/{c.forum.contribution.pk}/reports",
            {"reason": "Advertising."},
        ),
        site=lambda c: (
            f"{F}/participate/contributions/{c.forum.contribution.pk}/report/",
            {"reason": "Advertising."},
        ),
    ),
    Action(
        "comment hide",
        expect=outcomes(401, 403, 403, OK, OK),
        probe=lambda c: Comment.objects.get(pk=c.forum.comment.pk).status,
        api=lambda c: (
            "POST",
            f"/contributions/{c.forum.contribution.pk}/moderation",
            {"action": "hide", "reason": "Rude.", "comment": c.forum.comment.pk},
        ),
        site=lambda c: (
            f"{F}/participate/comments/{c.forum.comment.pk}/moderate/",
            {"action": "hide", "reason": "Rude."},
        ),
    ),
    Action(
        "comment report",
        expect=outcomes(401, OK, OK, 422, OK),
        probe=lambda c: Report.objects.filter(comment=c.forum.comment).count(),
        api=lambda c: (
            "POST",
            f"/contributions/{c.forum.contribution.pk}/reports",
            {"reason": "Rude.", "comment": c.forum.comment.pk},
        ),
        site=lambda c: (
            f"{F}/participate/comments/{c.forum.comment.pk}/report/",
            {"reason": "Rude."},
        ),
        # The moderator of the region reported this comment when the forum was seeded: a
        # second open report by the same person is invalid (422), and the page says so.
        site_expect=outcomes(401, OK, OK, 403, OK),
    ),
    Action(
        "workshop minutes",
        expect=outcomes(401, 403, 403, OK, OK),
        probe=lambda c: c.forum.consultation.contributions.filter(source="workshop").count(),
        site=lambda c: (
            f"{F}/participate/consultations/{c.forum.consultation.slug}/workshop/",
            {
                "type": "recommendation",
                "title": "Workshop in Thiès",
                "body": "The room asked for water points.",
                "language": "fr",
                "capitals": ["social"],
                "meeting_name": "Atelier de Thiès",
                "meeting_date": "2026-03-02",
                "meeting_place": "Thiès",
                "on_behalf_of": c.forum.organisation.pk,
            },
        ),
    ),
    # People
    Action(
        "organisation verification",
        expect=outcomes(401, 401, 401, 401, OK),
        arrange=unverified_organisation,
        probe=lambda c: Organisation.objects.get(pk=c.pk).verified,
        site=lambda c: (
            "/admin/people/organisation/",
            {"action": "mark_verified", "_selected_action": [c.pk]},
        ),
    ),
    Action(
        "token create (one's own)",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: ApiToken.objects.count(),
        api=lambda c: (
            "POST",
            "/auth/token",
            {"email": getattr(c.person, "email", "nobody@example.org"), "password": PASSWORD},
        ),
        site=lambda c: (f"{F}/accounts/profile/tokens/", {}),
    ),
    Action(
        "token revoke (one's own)",
        expect=outcomes(401, OK, OK, OK, OK),
        arrange=own_token,
        probe=token_exists,
        site=lambda c: (f"{F}/accounts/profile/tokens/{c.pk}/revoke/", {}),
    ),
    Action(
        "token revoke (another person's)",
        # Organisers may revoke anyone's token (a leaked one, say): people.revoke_token.
        expect=outcomes(401, 403, 403, 403, OK),
        arrange=lambda c: c.forum.author.api_tokens.get(),
        probe=token_exists,
        site=lambda c: (f"{F}/accounts/profile/tokens/{c.pk}/revoke/", {}),
    ),
    Action(
        "data download (one's own)",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=None,
        check=only_own_data,
        api=lambda c: ("GET", "/me/data", None),
        site=lambda c: (f"{F}/accounts/profile/data/download/", {}),
        site_method="get",
    ),
    Action(
        "account erase (one's own)",
        expect=outcomes(401, OK, OK, OK, OK),
        arrange=second_organiser,
        probe=lambda c: User.objects.filter(erased_at__isnull=False).count(),
        site=lambda c: (
            f"{F}/accounts/profile/erase/",
            {"password": PASSWORD, "contributions": "anonymise"},
        ),
    ),
    # Co-drafting
    Action(
        "amendment propose",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: Amendment.objects.count(),
        api=lambda c: (
            "POST",
            f"/documents/{c.forum.document.pk}/amendments",
            {
                "article": c.forum.amendment.article_id,
                "kind": "delete",
                "rationale": "Redundant.",
            },
        ),
        site=lambda c: (
            f"{F}/drafting/{c.forum.document.slug}/articles/{c.forum.amendment.article_id}"
            "/propose/",
            {"kind": "delete", "rationale": "Redundant.", "language": "fr"},
        ),
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
    Action(
        "amendment vote",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: AmendmentVote.objects.filter(amendment=c.forum.amendment).count(),
        api=lambda c: ("POST", f"/amendments/{c.forum.amendment.pk}/votes", {"value": "agree"}),
        site=lambda c: (
            f"{F}/drafting/amendments/{c.forum.amendment.pk}/vote/",
            {"value": "agree"},
        ),
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
    Action(
        "amendment endorse",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: AmendmentEndorsement.objects.filter(amendment=c.forum.amendment).count(),
        api=lambda c: ("POST", f"/amendments/{c.forum.amendment.pk}/endorsements", None),
        site=lambda c: (f"{F}/drafting/amendments/{c.forum.amendment.pk}/endorse/", {}),
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
    Action(
        "amendment comment",
        expect=outcomes(403, OK, OK, OK, OK),
        probe=lambda c: AmendmentComment.objects.filter(amendment=c.forum.amendment).count(),
        site=lambda c: (
            f"{F}/drafting/amendments/{c.forum.amendment.pk}/comment/",
            {"body": "D'accord."},
        ),
    ),
    Action(
        "amendment comment report",
        expect=outcomes(403, OK, OK, OK, OK),
        probe=lambda c: DraftingReport.objects.count(),
        site=lambda c: (
            f"{F}/drafting/comments/{c.forum.amendment_comment.pk}/report/",
            {"reason": "Rude."},
        ),
    ),
    Action(
        "amendment comment hide",
        expect=outcomes(403, 403, 403, OK, OK),
        probe=lambda c: AmendmentComment.objects.get(pk=c.forum.amendment_comment.pk).visibility,
        site=lambda c: (
            f"{F}/drafting/comments/{c.forum.amendment_comment.pk}/moderate/",
            {"action": "hide", "reason": "Rude."},
        ),
    ),
    Action(
        "article opinion (support)",
        expect=outcomes(403, OK, OK, OK, OK),
        probe=lambda c: ArticleOpinion.objects.count(),
        site=lambda c: (
            f"{F}/drafting/{c.forum.document.slug}/articles/{c.forum.amendment.article_id}"
            "/opinion/",
            {"value": "support"},
        ),
    ),
    Action(
        "amendment accept",
        expect=outcomes(401, 403, 403, 403, OK),
        probe=lambda c: Amendment.objects.get(pk=c.forum.amendment.pk).status,
        api=lambda c: ("POST", f"/amendments/{c.forum.amendment.pk}/accept", {}),
        site=lambda c: (
            f"{F}/drafting/amendments/{c.forum.amendment.pk}/decide/",
            {"decision": "accept"},
        ),
        site_expect=outcomes(403, 403, 403, 403, OK),
    ),
    Action(
        "amendment reject",
        expect=outcomes(401, 403, 403, 403, OK),
        probe=lambda c: Amendment.objects.get(pk=c.forum.amendment.pk).status,
        api=lambda c: (
            "POST",
            f"/amendments/{c.forum.amendment.pk}/reject",
            {"reason": "Out of scope."},
        ),
        site=lambda c: (
            f"{F}/drafting/amendments/{c.forum.amendment.pk}/decide/",
            {"decision": "reject", "reason": "Out of scope."},
        ),
        site_expect=outcomes(403, 403, 403, 403, OK),
    ),
    Action(
        "amendment hide",
        expect=outcomes(403, 403, 403, OK, OK),
        probe=lambda c: Amendment.objects.get(pk=c.forum.amendment.pk).visibility,
        site=lambda c: (
            f"{F}/drafting/amendments/{c.forum.amendment.pk}/moderate/",
            {"action": "hide", "reason": "Spam."},
        ),
    ),
    Action(
        "document freeze",
        expect=outcomes(403, 403, 403, 403, OK),
        probe=lambda c: Document.objects.get(pk=c.forum.document.pk).status,
        site=lambda c: (f"{F}/drafting/{c.forum.document.slug}/freeze/", {"note": "Final."}),
    ),
    Action(
        "document sign (for one's verified organisation)",
        # Signing is for members of a verified organisation: of the roles, only the
        # participant belongs to one (Ville de Thiès).
        expect=outcomes(403, OK, 403, 403, 403),
        arrange=frozen_document,
        probe=lambda c: Signature.objects.filter(document=c.forum.document).count(),
        site=lambda c: (f"{F}/drafting/{c.forum.document.slug}/sign/", {}),
    ),
    Action(
        "article translate",
        expect=outcomes(403, 403, 403, 403, OK),
        probe=lambda c: c.forum.document.articles.get(number=1).text_es,
        site=lambda c: (
            f"{F}/drafting/{c.forum.document.slug}/articles/"
            f"{c.forum.document.articles.get(number=1).pk}/translate/",
            {"language": "es", "text": "Las ciudades intermedias cuentan."},
        ),
    ),
    Action(
        "article cite (a contribution)",
        expect=outcomes(403, 403, 403, 403, OK),
        probe=lambda c: ArticleSource.objects.count(),
        site=lambda c: (
            f"{F}/drafting/{c.forum.document.slug}/articles/{c.forum.amendment.article_id}/cite/",
            {"kind": "contribution", "ref": c.forum.contribution.pk, "note": "Source."},
        ),
    ),
    Action(
        "article uncite (remove a citation)",
        expect=outcomes(403, 403, 403, 403, OK),
        arrange=citation,
        probe=lambda c: ArticleSource.objects.filter(pk=c.pk).exists(),
        site=lambda c: (f"{F}/drafting/sources/{c.pk}/remove/", {}),
    ),
    # Synthesis
    Action(
        "synthesis run (compute themes)",
        expect=outcomes(403, 403, 403, 403, OK),
        probe=lambda c: ThemeRun.objects.count(),
        site=lambda c: (
            f"{F}/synthesis/themes/compute/",
            {"consultation": c.forum.consultation.slug, "themes": "2", "seed": "7"},
        ),
    ),
    Action(
        "synthesis review (reject a theme)",
        expect=outcomes(403, 403, 403, 403, OK),
        probe=lambda c: ThemeReview.objects.count(),
        site=lambda c: (
            f"{F}/synthesis/themes/{c.forum.theme_run.pk}/review/reject/",
            {"theme": first_theme(c), "reason": "Too vague."},
        ),
    ),
    Action(
        "synthesis approve",
        expect=outcomes(403, 403, 403, 403, OK),
        probe=lambda c: ThemeRun.objects.get(pk=c.forum.theme_run.pk).approved_at is not None,
        site=lambda c: (f"{F}/synthesis/themes/{c.forum.theme_run.pk}/approve/", {}),
    ),
    Action(
        "capitals confirm",
        expect=outcomes(403, 403, 403, OK, OK),
        probe=lambda c: CapitalTag.objects.count(),
        site=lambda c: (
            f"{F}/synthesis/capitals/contributions/{c.forum.contribution.pk}/",
            {"capitals": ["environmental", "social"]},
        ),
    ),
    # Assessments
    Action(
        "assessment create (a local agenda)",
        expect=outcomes(401, 403, OK, OK, OK),
        probe=lambda c: _assessments(),
        api=lambda c: ("POST", "/assessments", {"kind": "agenda", "year": 2026, "title": "Plan"}),
        site=lambda c: (f"{F}/assessments/agendas/new/", {"title": "Plan", "year": "2026"}),
        site_expect=outcomes(403, 403, OK, OK, OK),
    ),
    Action(
        "assessments import (CSV)",
        expect=outcomes(403, 403, OK, OK, OK),
        arrange=indicators,
        probe=lambda c: _assessments(),
        site=lambda c: (
            f"{F}/assessments/import/",
            {"file": _upload(c.target)},
        ),
    ),
    # Recommendations
    Action(
        "recommendation draft (organisers, moderators) or propose (participants)",
        expect=outcomes(401, OK, OK, OK, OK),
        probe=lambda c: Recommendation.objects.count(),
        api=lambda c: ("POST", "/recommendations", recommendation_fields(c)),
        site=lambda c: (f"{F}/recommendations/new/", recommendation_fields(c)),
    ),
    Action(
        "recommendation promote (a contribution)",
        expect=outcomes(401, 403, OK, OK, OK),
        arrange=recommendation_contribution,
        probe=lambda c: Recommendation.objects.count(),
        api=lambda c: (
            "POST",
            "/recommendations/promote",
            {
                "contribution": c.pk,
                "line": "advocacy",
                "addressee": "global",
                "pact_component": "people",
            },
        ),
        site=lambda c: (
            f"{F}/recommendations/promote/{c.pk}/",
            {"line": "advocacy", "addressee": "global", "pact_component": "people"},
        ),
        site_expect=outcomes(403, 403, OK, OK, OK),
    ),
    Action(
        "recommendation edit",
        expect=outcomes(401, 403, OK, OK, OK),
        arrange=a_recommendation,
        probe=lambda c: Recommendation.objects.get(pk=c.pk).line,
        api=lambda c: ("PATCH", f"/recommendations/{c.pk}", {"version": 1, "line": "advocacy"}),
        site=lambda c: (
            f"{F}/recommendations/{c.pk}/edit/",
            {**recommendation_fields(c), "version": 1, "line": "advocacy"},
        ),
        site_expect=outcomes(403, 403, OK, OK, OK),
    ),
    Action(
        "recommendation translate",
        expect=outcomes(401, 403, OK, OK, OK),
        arrange=a_recommendation,
        probe=lambda c: Recommendation.objects.get(pk=c.pk).text_es,
        api=lambda c: (
            "PUT",
            f"/recommendations/{c.pk}/translations/es",
            {"text": "Los Estados financian las ciudades intermedias."},
        ),
        site=lambda c: (
            f"{F}/recommendations/{c.pk}/translate/",
            {"language": "es", "text": "Los Estados financian las ciudades intermedias."},
        ),
        site_expect=outcomes(403, 403, OK, OK, OK),
    ),
    Action(
        "recommendation status change (consulted)",
        expect=outcomes(401, 403, 403, 403, OK),
        arrange=a_recommendation_with_evidence,
        probe=lambda c: Recommendation.objects.get(pk=c.pk).status,
        api=lambda c: (
            "POST",
            f"/recommendations/{c.pk}/status",
            {"status": "consulted", "reason": "Put to the sections."},
        ),
        site=lambda c: (
            f"{F}/recommendations/{c.pk}/status/",
            {"status": "consulted", "reason": "Put to the sections."},
        ),
        site_expect=outcomes(403, 403, 403, 403, OK),
    ),
    Action(
        "recommendation evidence link",
        expect=outcomes(401, 403, OK, OK, OK),
        arrange=a_recommendation,
        probe=lambda c: RecommendationEvidence.objects.filter(recommendation=c.target).count(),
        api=lambda c: (
            "POST",
            f"/recommendations/{c.pk}/evidence",
            {"kind": "contribution", "source": c.forum.contribution.pk},
        ),
        site=lambda c: (
            f"{F}/recommendations/{c.pk}/evidence/",
            {"kind": "contribution", "source": c.forum.contribution.pk},
        ),
        site_expect=outcomes(403, 403, OK, OK, OK),
    ),
    Action(
        "recommendation evidence unlink",
        expect=outcomes(401, 403, OK, OK, OK),
        arrange=a_piece_of_evidence,
        probe=lambda c: RecommendationEvidence.objects.filter(pk=c.pk).exists(),
        api=lambda c: (
            "DELETE",
            f"/recommendations/{c.target.recommendation_id}/evidence/{c.pk}",
            None,
        ),
        site=lambda c: (f"{F}/recommendations/evidence/{c.pk}/remove/", {}),
        site_expect=outcomes(403, 403, OK, OK, OK),
    ),
    Action(
        "recommendation endorse",
        expect=outcomes(401, OK, OK, OK, OK),
        arrange=a_recommendation,
        probe=lambda c: RecommendationEndorsement.objects.filter(recommendation=c.target).count(),
        api=lambda c: ("POST", f"/recommendations/{c.pk}/endorsements", None),
        site=lambda c: (f"{F}/recommendations/{c.pk}/endorse/", {}),
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
    Action(
        "recommendation endorsement withdraw (one's own)",
        expect=outcomes(401, OK, OK, OK, OK),
        arrange=an_endorsed_recommendation,
        probe=lambda c: RecommendationEndorsement.objects.filter(recommendation=c.target).count(),
        api=lambda c: ("DELETE", f"/recommendations/{c.pk}/endorsements", None),
        site=lambda c: (f"{F}/recommendations/{c.pk}/endorse/", {"action": "withdraw"}),
        site_expect=outcomes(403, OK, OK, OK, OK),
    ),
]


def _assessments() -> int:
    from cityforum.assessments.models import Assessment

    return Assessment.objects.count()


def _upload(text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = "values.csv"
    return upload


# --- running a case -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Forum]:
    """The forum, seeded once for the module in a transaction that is rolled back at its end;
    each test runs in a savepoint of it (pytest-django's ``db``). Open-data files the API
    publishes on demand go to a folder of the module's own."""
    opendata = tmp_path_factory.mktemp("opendata")
    with (
        override_settings(CITYFORUM_OPENDATA_DIR=str(opendata)),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_forum()
        transaction.set_rollback(True)


@pytest.fixture
def forum(seeded: Forum, db: None) -> Forum:
    """The module's forum, its objects read again: a test may have changed them in memory
    (the database itself is rolled back after each test)."""
    for value in [*vars(seeded).values(), *seeded.people.values()]:
        if isinstance(value, Model) and value.pk is not None:
            value.refresh_from_db()
    return seeded


def api_call(case: Case, method: str, path: str, body: Any) -> Any:
    client = Client(enforce_csrf_checks=True)
    return client.generic(
        method,
        f"/api/v1{path}",
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        **case.forum.auth(case.role),
    )


def site_client(case: Case) -> tuple[Client, str]:
    """A browser for the person (signed in unless public) and its CSRF token."""
    client = Client(enforce_csrf_checks=True)
    if case.role != "public":
        client.force_login(case.person)
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    return client, token


def site_call(case: Case, method: str, path: str, data: dict[str, Any]) -> Any:
    client, token = site_client(case)
    if method == "get":
        return client.get(path, data)
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def api_outcome(response: Any) -> Outcome:
    return OK if response.status_code < 300 else response.status_code


def site_outcome(response: Any) -> Outcome:
    """What the person was told: a refusal page, the sign-in page, an error message, or not."""
    if response.status_code in (401, 403, 404):
        return response.status_code
    if response.status_code in (301, 302) and "/login/" in response["Location"]:
        return 401
    form = response.context.get("form") if response.context else None
    if form is not None and form.errors:
        return f"invalid: {form.errors.as_text()}"
    errors = [m for m in get_messages(response.wsgi_request) if m.level == ERROR]
    if errors or response.status_code >= 400:
        return 403
    return OK


def run_case(forum: Forum, action: Action, role: str, channel: str) -> tuple[Outcome, Any]:
    case = Case(forum=forum, role=role, person=forum.people[role])
    if action.arrange:
        case.target = action.arrange(case)
    probe = action.probe or (lambda case: None)
    before = probe(case)
    if channel == "api":
        assert action.api is not None
        response = api_call(case, *action.api(case))
        outcome = api_outcome(response)
    else:
        assert action.site is not None
        response = site_call(case, action.site_method, *action.site(case))
        outcome = site_outcome(response)
    after = probe(case)
    if action.check and outcome == OK:
        action.check(case, response)
    return outcome, (before, after)


def matrix_cases() -> list[Any]:
    params = []
    for action in MATRIX:
        for channel in ("api", "site"):
            if getattr(action, channel) is None:
                continue
            for role in ROLES:
                params.append(
                    pytest.param(action, role, channel, id=f"{action.name}-{channel}-{role}")
                )
    return params


@pytest.mark.parametrize(("action", "role", "channel"), matrix_cases())
def test_each_role_may_do_only_what_the_matrix_says(
    forum: Forum, action: Action, role: str, channel: str
) -> None:
    expected = (
        (action.site_expect or action.expect)[role] if channel == "site" else action.expect[role]
    )
    outcome, (before, after) = run_case(forum, action, role, channel)
    assert outcome == expected, f"{action.name} by {role} on the {channel}: {outcome}"
    if action.probe is None:
        return
    if expected == OK:
        assert after != before, f"{action.name} by {role} on the {channel} changed nothing"
    else:
        assert after == before, f"{action.name} by {role} on the {channel} was refused but wrote"


# --- the matrix is complete -----------------------------------------------------------------

WRITES = {"post", "put", "patch", "delete"}


def _operation(path: str) -> str:
    """``/api/v1/contributions/{contribution_id}`` for ``/contributions/12``: the operation
    of the schema a concrete path is answered by."""
    route = resolve(f"/api/v1{path}").route
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_write_of_the_api_is_a_row_of_the_matrix(forum: Forum) -> None:
    from cityforum.api.urls import api

    schema = api.get_openapi_schema()
    writes = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITES
    }
    covered = set()
    for action in MATRIX:
        if action.api is None:
            continue
        case = Case(forum=forum, role="participant", person=forum.people["participant"])
        if action.arrange:
            case.target = action.arrange(case)
        method, path, _body = action.api(case)
        covered.add((method, _operation(path)))
    assert writes - covered == set()
    # Only a recommendation's evidence and one's endorsement of it are deleted through the
    # API, and only four things are edited: a consultation's status (organisers), a
    # contribution (its author), a recommendation and its translations (drafters).
    assert {w for w in writes if w[0] != "POST"} == {
        ("PATCH", "/api/v1/consultations/{consultation_id}"),
        ("PATCH", "/api/v1/contributions/{contribution_id}"),
        ("PATCH", "/api/v1/recommendations/{recommendation_id}"),
        ("PUT", "/api/v1/recommendations/{recommendation_id}/translations/{language}"),
        ("DELETE", "/api/v1/recommendations/{recommendation_id}/evidence/{evidence_id}"),
        ("DELETE", "/api/v1/recommendations/{recommendation_id}/endorsements"),
    }


# --- CSRF -----------------------------------------------------------------------------------


def test_a_form_post_without_its_csrf_token_is_refused_and_writes_nothing(forum: Forum) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(forum.people["participant"])
    before = Comment.objects.count()
    response = client.post(
        f"{F}/participate/contributions/{forum.contribution.pk}/comment/", {"body": "Forged."}
    )
    assert response.status_code == 403
    assert Comment.objects.count() == before


def test_an_api_write_with_the_session_needs_the_csrf_token(forum: Forum) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(forum.people["participant"])
    path = f"/api/v1/contributions/{forum.contribution.pk}/comments"
    before = Comment.objects.count()
    forged = client.post(path, {"body": "Forged."}, content_type="application/json")
    assert forged.status_code == 403 and forged["Content-Type"] == "application/problem+json"
    assert forged.json()["type"].endswith("/forbidden")
    assert Comment.objects.count() == before

    client.get(f"{F}/participate/contributions/{forum.contribution.pk}/")  # sets the cookie
    token = client.cookies["csrftoken"].value
    sent = client.post(
        path, {"body": "Mine."}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert sent.status_code == 201 and Comment.objects.count() == before + 1


def test_an_api_write_without_credentials_is_told_to_authenticate(forum: Forum) -> None:
    """Not that a CSRF token is missing: there is no session to protect (``api.auth``)."""
    path = f"/api/v1/contributions/{forum.contribution.pk}/comments"
    for headers in ({}, {"Authorization": "Bearer cf_revoked-or-made-up"}):
        response = Client(enforce_csrf_checks=True).post(
            path, {"body": "Hello."}, content_type="application/json", headers=headers
        )
        assert response.status_code == 401
        assert response.json()["type"].endswith("/unauthenticated")


# --- object level: nobody edits or deletes another person's content -------------------------


def test_erasing_ones_account_deletes_ones_own_content_only(forum: Forum) -> None:
    from cityforum.people import privacy

    participant = User.objects.get(pk=forum.people["participant"].pk)
    own = own_contribution(Case(forum=forum, role="participant", person=participant))
    others = set(Contribution.objects.exclude(author=participant).values_list("pk", flat=True))
    comments = set(Comment.objects.values_list("pk", flat=True))
    privacy.erase_account(participant, password=PASSWORD, contributions="delete", by=participant)
    assert not Contribution.objects.filter(pk=own.pk).exists()
    assert set(Contribution.objects.values_list("pk", flat=True)) == others
    assert set(Comment.objects.values_list("pk", flat=True)) == comments


def test_nobody_erases_another_persons_account(forum: Forum) -> None:
    from django.core.exceptions import PermissionDenied

    from cityforum.people import privacy

    for role in ("participant", "moderator of the region", "organiser"):
        with pytest.raises(PermissionDenied):
            privacy.erase_account(
                forum.author, password=PASSWORD, contributions="delete", by=forum.people[role]
            )
    assert not User.objects.get(pk=forum.author.pk).is_erased
    assert Contribution.objects.filter(author=forum.author).exists()


# --- private data never leaks ---------------------------------------------------------------

#: Who must never see hidden or pending content, nor anybody's e-mail address.
OUTSIDERS = ["public", "participant", "moderator of another region"]

#: Values for the parameters of the read operations: the seeded objects, hidden ones included.
QUERIES = {
    "/api/v1/consultations/{consultation_id}/contributions": [
        "",
        "?status=hidden",
        "?type=challenge",
        "?capital=economic",
        "?language=en",
    ],
    "/api/v1/documents/{document_id}/amendments": ["", "?status=pending"],
    "/api/v1/documents/{document_id}/export": ["?format=json", "?format=md"],
    "/api/v1/cities": ["?q=thi"],
}


def _ids(forum: Forum) -> dict[str, list[Any]]:
    return {
        "consultation_id": [forum.consultation.pk],
        "contribution_id": [forum.contribution.pk, forum.hidden_contribution.pk],
        "statement_id": [forum.statement.pk, forum.pending_statement.pk],
        "document_id": [forum.document.pk],
        "synthesis_id": [forum.theme_run.pk],
        "geonameid": [forum.city.geonameid],
    }


def listed(name: str) -> list[str]:
    """Names a list operation gives for a path parameter (the open-data datasets)."""
    if name == "dataset":
        return [d["name"] for d in Client().get("/api/v1/opendata").json()["datasets"]]
    return []


def read_urls(forum: Forum) -> list[str]:
    """Every GET operation of the API, with every seeded object for its ids."""
    from cityforum.api.urls import api

    urls = []
    ids = _ids(forum)
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        required = [
            p["name"]
            for p in operations["get"].get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]
        queries = QUERIES.get(path, [""])
        assert not required or path in QUERIES, f"give {path} its {required} in QUERIES"
        concrete = [path]
        for parameter in operations["get"].get("parameters", []):
            name = parameter["name"]
            if parameter["in"] != "path":
                continue
            values = ids.get(name) or parameter["schema"].get("enum") or listed(name)
            concrete = [c.replace("{" + name + "}", str(v)) for c in concrete for v in values]
        assert "{" not in "".join(concrete), f"no seeded id for {path}"
        urls += [c + q for c in concrete for q in queries]
    return urls


def site_urls(forum: Forum) -> list[str]:
    slug, doc = forum.consultation.slug, forum.document.slug
    hidden_article = forum.hidden_amendment.article_id
    return [
        f"{F}/",
        f"{F}/consultations/{slug}/",
        f"{F}/participate/consultations/{slug}/",
        f"{F}/participate/consultations/{slug}/?type=challenge",
        f"{F}/participate/consultations/{slug}/?capital=economic",
        f"{F}/participate/contributions/{forum.contribution.pk}/",
        f"{F}/participate/contributions/{forum.hidden_contribution.pk}/",
        f"{F}/participate/moderation/",
        f"{F}/vote/{slug}/",
        f"{F}/vote/{slug}/moderation/",
        f"{F}/drafting/{doc}/",
        f"{F}/drafting/{doc}/articles/{hidden_article}/",
        f"{F}/drafting/amendments/{forum.amendment.pk}/",
        f"{F}/drafting/amendments/{forum.hidden_amendment.pk}/",
        f"{F}/synthesis/{slug}/themes/",
        f"{F}/synthesis/themes/{forum.theme_run.pk}/",
        f"{F}/cities/?q=thi",
        f"{F}/assessments/",
    ]


def text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode(errors="replace")


def read_all(forum: Forum, role: str) -> dict[str, str]:
    """Every read of the API (by bearer token) and the pages (signed in), as ``role``."""
    pages = {}
    api = Client()
    for url in read_urls(forum):
        response = api.get(url, **forum.auth(role))
        assert response.status_code < 500, url
        pages[url] = text_of(response)
    site = Client()
    if role in forum.people and role != "public":
        site.force_login(forum.people[role])
    elif role == "author":
        site.force_login(forum.author)
    for url in site_urls(forum):
        response = site.get(url)
        assert response.status_code < 500, url
        pages[url] = text_of(response)
    return pages


@pytest.mark.parametrize("role", OUTSIDERS)
def test_hidden_and_pending_content_is_never_shown_to_others(forum: Forum, role: str) -> None:
    leaks = [url for url, text in read_all(forum, role).items() if SECRET in text]
    assert leaks == []


def test_the_author_and_the_regions_moderators_do_see_it(forum: Forum) -> None:
    """The scan above can see hidden content where it is shown: to its author (lists of
    contributions, its page) and to the consultation's moderators."""
    for role in ("author", "moderator of the region"):
        seen = {url for url, text in read_all(forum, role).items() if SECRET in text}
        contributions = f"/api/v1/consultations/{forum.consultation.pk}/contributions"
        assert contributions in seen, role
        assert f"{F}/participate/contributions/{forum.hidden_contribution.pk}/" in seen, role


@pytest.mark.parametrize("role", [*ROLES, "author"])
def test_no_email_address_appears_in_any_read(forum: Forum, role: str) -> None:
    """Lists, details, exports and pages: no e-mail address of anyone — except, in one's own
    data download, one's own (organisers read e-mails in the back office only)."""
    emails = forum.emails
    own = getattr(forum.people.get(role, forum.author if role == "author" else None), "email", "")
    leaks = []
    for url, text in read_all(forum, role).items():
        shown = [e for e in emails if e in text and not (url == "/api/v1/me/data" and e == own)]
        if shown:
            leaks.append((url, shown))
    assert leaks == []


# --- the matrix in docs/security.md -----------------------------------------------------------


def markdown_rows() -> list[str]:
    """The matrix as the rows of the table in docs/security.md ("API / site" where the two
    answer differently; "–" where the action has no API)."""
    rows = []
    for action in MATRIX:
        cells = []
        for role in ROLES:
            site = (action.site_expect or action.expect)[role]
            api = action.expect[role] if action.api else None
            if api is None or api == site:
                cells.append(str(site))
            else:
                cells.append(f"{api} / {site}")
        where = "API, site" if action.api else "site"
        rows.append(f"| {action.name} | {where} | " + " | ".join(cells) + " |")
    return rows


def test_docs_security_holds_the_matrix_as_tested() -> None:
    from .conftest import REPO_DOCS

    text = (REPO_DOCS / "security.md").read_text(encoding="utf-8")
    missing = [row for row in markdown_rows() if row not in text]
    assert missing == [], "\n".join(missing)
