"""The services of recommendations: one action per change, every bad input refused with a
clear message in the person's language and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cityforum.core.models import AuditEvent
from cityforum.participation.models import Contribution
from cityforum.recommendations import services
from cityforum.recommendations.models import (
    Evidence,
    Recommendation,
    RecommendationEndorsement,
    StatusChange,
)

from .conftest import make_person

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- drafting, proposing, promoting -------------------------------------------------------------


def test_an_organiser_drafts_a_recommendation_with_its_original_text(organiser, fields):
    rec = services.draft_recommendation(by=organiser, **fields)
    assert rec.status == "draft" and rec.version == 1 and rec.author == organiser
    assert [c.code for c in rec.capitals.all()] == ["economic"]
    assert rec.translation_status("fr") == "original"
    assert rec.translation_status("en") == "missing"
    assert AuditEvent.objects.filter(verb="recommendation.draft").count() == 1


def test_a_moderator_drafts_but_a_participant_may_only_propose(moderator, participant, fields):
    assert services.draft_recommendation(by=moderator, **fields).author == moderator
    with pytest.raises(PermissionDenied):
        services.draft_recommendation(by=participant, **fields)
    proposed = services.propose_recommendation(by=participant, **fields)
    assert proposed.status == "draft" and proposed.author == participant


def test_the_public_may_not_propose(programme, fields):
    with pytest.raises(PermissionDenied):
        services.propose_recommendation(by=make_person("public"), **fields)
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("line", "lobbying", "Unknown line of transformation “lobbying”"),
        ("addressee", "planetary", "Unknown addressee level “planetary”"),
        ("pact_component", "prosperity", "Unknown Pact for the Future component “prosperity”"),
        ("capitals", [], "Choose one or two capitals (0 given)"),
        ("capitals", ["human", "social", "economic"], "Choose one or two capitals (3 given)"),
        ("capitals", ["built"], "Unknown capital “built”"),
        ("language", "de", "Unknown language “de”"),
        ("consultations", [], "Name the consultation"),
        ("text", "   ", "Write the recommendation"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(
    organiser, fields, field, value, words
):
    with pytest.raises(ValidationError) as caught:
        services.draft_recommendation(by=organiser, **{**fields, field: value})
    assert field in caught.value.message_dict
    assert words in _messages(caught.value)
    assert not Recommendation.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="recommendation.").exists()


def test_the_refusal_is_in_the_persons_language(organiser, fields):
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.draft_recommendation(by=organiser, **{**fields, "line": "lobbying"})
    assert "Ligne de transformation inconnue" in _messages(caught.value)
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        services.draft_recommendation(by=organiser, **{**fields, "capitals": []})
    assert "capitales" in _messages(caught.value)


def test_a_regional_recommendation_names_a_world_section_and_only_it_does(organiser, fields):
    with pytest.raises(ValidationError) as caught:
        services.draft_recommendation(by=organiser, **{**fields, "addressee": "regional"})
    assert "region" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.draft_recommendation(by=organiser, **{**fields, "region": "africa"})
    rec = services.draft_recommendation(
        by=organiser, **{**fields, "addressee": "regional", "region": "africa"}
    )
    assert rec.region.code == "africa"


def test_promoting_a_contribution_keeps_its_author_language_capitals_and_link(organiser, proposal):
    rec = services.promote_contribution(
        proposal, by=organiser, line="financing", addressee="national", pact_component="people"
    )
    assert rec.author == proposal.author and rec.source_contribution == proposal
    assert rec.language == "es" and rec.text == proposal.body
    assert sorted(c.code for c in rec.capitals.all()) == ["economic", "human"]
    assert list(rec.consultations.all()) == [proposal.consultation]
    with pytest.raises(ValidationError) as caught:
        services.promote_contribution(
            proposal, by=organiser, line="financing", addressee="national", pact_component="people"
        )
    assert caught.value.code == "duplicate"
    assert Recommendation.objects.count() == 1


def test_only_a_visible_contribution_of_type_recommendation_is_promoted(organiser, proposal):
    Contribution.objects.filter(pk=proposal.pk).update(type="proposal")
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="type recommendation"):
        services.promote_contribution(
            proposal, by=organiser, line="advocacy", addressee="global", pact_component="people"
        )
    Contribution.objects.filter(pk=proposal.pk).update(type="recommendation", status="hidden")
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="hidden"):
        services.promote_contribution(
            proposal, by=organiser, line="advocacy", addressee="global", pact_component="people"
        )
    assert not Recommendation.objects.exists()


# --- editing and translating ------------------------------------------------------------------


def test_an_edit_against_the_current_version_bumps_it_and_outdates_translations(organiser, fields):
    rec = services.draft_recommendation(by=organiser, **fields)
    services.set_translation(rec, "en", "States give intermediary cities the means.", by=organiser)
    assert rec.translation_status("en") == "current"
    services.update_recommendation(
        rec, by=organiser, expected_version=1, text=fields["text"] + " Sans délai."
    )
    rec.refresh_from_db()
    assert rec.version == 2 and rec.revision == 2
    assert rec.translation_status("en") == "outdated"
    assert rec.text_for("en") == (rec.text, "fr")


def test_a_stale_edit_is_refused_naming_the_newer_version_and_nothing_is_written(
    organiser, moderator, fields
):
    rec = services.draft_recommendation(by=organiser, **fields)
    services.update_recommendation(rec, by=moderator, expected_version=1, line="advocacy")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.update_recommendation(
            Recommendation.objects.get(pk=rec.pk),
            by=organiser,
            expected_version=1,
            line="implementation",
        )
    assert caught.value.code == "conflict"
    assert "now at version 2" in _messages(caught.value)
    rec.refresh_from_db()
    assert rec.line == "advocacy" and rec.version == 2
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        services.update_recommendation(rec, by=organiser, expected_version=1, line="advocacy")
    assert "versión 2" in _messages(caught.value)


def test_an_author_edits_their_draft_only_while_it_is_a_draft(participant, organiser, fields):
    rec = services.propose_recommendation(by=participant, **fields)
    services.update_recommendation(rec, by=participant, expected_version=1, line="advocacy")
    other = make_person("participant", "other@example.org")
    with pytest.raises(PermissionDenied):
        services.update_recommendation(rec, by=other, expected_version=2, line="financing")


def test_a_translation_into_the_original_language_or_an_unknown_one_is_refused(organiser, fields):
    rec = services.draft_recommendation(by=organiser, **fields)
    with pytest.raises(ValidationError, match="original language"):
        services.set_translation(rec, "fr", "Autre texte.", by=organiser)
    with pytest.raises(ValidationError, match="Unknown language"):
        services.set_translation(rec, "xx", "Text.", by=organiser)
    rec.refresh_from_db()
    assert rec.text_en == "" and rec.text_fr == fields["text"]


# --- evidence ----------------------------------------------------------------------------------


def test_evidence_of_an_approved_theme_keeps_its_quote_in_the_original_language(
    organiser, fields, theme_run
):
    rec = services.draft_recommendation(by=organiser, **fields)
    evidence = services.link_evidence(rec, "theme", theme_run.pk, "0", by=organiser)
    assert evidence.language == "es" and "Los gobiernos" in evidence.quote
    assert evidence.regions == ["africa", "latam"] and evidence.count == 12
    assert evidence.constituencies == {"civil_society": 1}
    trend = services.link_evidence(rec, "trend", theme_run.pk, "0", by=organiser)
    assert trend.regions == ["africa", "latam"]
    spec = services.link_evidence(rec, "specificity", theme_run.pk, "latam:theme:0", by=organiser)
    assert spec.regions == ["latam"] and spec.count == 7
    with pytest.raises(ValidationError) as caught:
        services.link_evidence(rec, "theme", theme_run.pk, "0", by=organiser)
    assert caught.value.code == "duplicate"


def test_evidence_that_is_not_approved_or_not_public_is_refused(
    organiser, fields, theme_run, proposal
):
    from cityforum.synthesis.models import ThemeRun

    rec = services.draft_recommendation(by=organiser, **fields)
    unapproved = ThemeRun.objects.filter(approved_at__isnull=True).get()
    with pytest.raises(ValidationError, match="approved synthesis"):
        services.link_evidence(rec, "theme", unapproved.pk, "0", by=organiser)
    with pytest.raises(ValidationError, match="no theme 9"):
        services.link_evidence(rec, "theme", theme_run.pk, "9", by=organiser)
    Contribution.objects.filter(pk=proposal.pk).update(status="hidden")
    with pytest.raises(ValidationError, match="hidden contribution"):
        services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
    with pytest.raises(ValidationError, match="Unknown kind of evidence"):
        services.link_evidence(rec, "rumour", 1, by=organiser)
    assert not Evidence.objects.exists()


def test_a_participant_may_not_link_evidence(participant, organiser, fields, proposal):
    rec = services.draft_recommendation(by=organiser, **fields)
    with pytest.raises(PermissionDenied):
        services.link_evidence(rec, "contribution", proposal.pk, by=participant)


# --- status ------------------------------------------------------------------------------------


def test_consulted_without_evidence_is_refused_then_accepted_with_evidence(
    organiser, fields, proposal
):
    rec = services.draft_recommendation(by=organiser, **fields)
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.change_status(rec, "consulted", by=organiser, reason="Soumise aux sections.")
    assert "au moins une" in _messages(caught.value)
    rec.refresh_from_db()
    assert rec.status == "draft" and not StatusChange.objects.exists()
    services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
    change = services.change_status(rec, "consulted", by=organiser, reason="Soumise.")
    assert (change.from_status, change.to_status, change.reason) == (
        "draft",
        "consulted",
        "Soumise.",
    )
    services.change_status(rec, "adopted", by=organiser, reason="Adoptée en plénière.")
    rec.refresh_from_db()
    assert rec.status == "adopted"
    assert AuditEvent.objects.filter(verb="recommendation.status").count() == 2


def test_a_status_change_needs_an_organiser_a_reason_and_an_allowed_step(
    organiser, moderator, fields, proposal
):
    rec = services.draft_recommendation(by=organiser, **fields)
    services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
    with pytest.raises(PermissionDenied):
        services.change_status(rec, "consulted", by=moderator, reason="Why not.")
    with pytest.raises(ValidationError, match="public reason"):
        services.change_status(rec, "consulted", by=organiser, reason="  ")
    with pytest.raises(ValidationError, match="cannot become adopted"):
        services.change_status(rec, "adopted", by=organiser, reason="Straight away.")
    with pytest.raises(ValidationError, match="Unknown status"):
        services.change_status(rec, "archived", by=organiser, reason="Old.")
    rec.refresh_from_db()
    assert rec.status == "draft" and not StatusChange.objects.exists()


def test_the_last_evidence_of_a_consulted_recommendation_stays(organiser, fields, proposal):
    rec = services.draft_recommendation(by=organiser, **fields)
    evidence = services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
    services.change_status(rec, "consulted", by=organiser, reason="Soumise.")
    with pytest.raises(ValidationError, match="at least one piece"):
        services.unlink_evidence(evidence, by=organiser)
    assert Evidence.objects.count() == 1


# --- endorsements ------------------------------------------------------------------------------


def test_an_endorsement_keeps_the_constituency_and_section_and_counts_once(
    organiser, fields, member
):
    rec = services.draft_recommendation(by=organiser, **fields)
    person: Any = member("africa", "maire@example.org")
    endorsement = services.endorse(rec, by=person)
    assert endorsement.constituency == "local_government" and endorsement.region.code == "africa"
    with pytest.raises(ValidationError) as caught:
        services.endorse(rec, by=person)
    assert caught.value.code == "duplicate"
    assert services.withdraw_endorsement(rec, by=person) is True
    assert not RecommendationEndorsement.objects.exists()


def test_a_withdrawn_recommendation_cannot_be_endorsed(organiser, fields, participant):
    rec = services.draft_recommendation(by=organiser, **fields)
    services.change_status(rec, "withdrawn", by=organiser, reason="Merged into another.")
    with pytest.raises(PermissionDenied):
        services.endorse(rec, by=participant)


def test_a_consensus_statement_of_a_finished_opinion_map_is_evidence_once_accepted(
    organiser, fields, consultation
):
    from cityforum.statements.models import Statement
    from cityforum.synthesis.models import OpinionMapRun

    accepted = Statement.objects.create(
        consultation=consultation,
        text="Budgets participatifs partout.",
        language="fr",
        status="accepted",
    )
    pending = Statement.objects.create(
        consultation=consultation, text="Autre chose.", language="fr", status="pending"
    )
    consensus = {"agree": [{"statement": accepted.pk}, {"statement": pending.pk}], "disagree": []}
    run = OpinionMapRun.objects.create(
        consultation=consultation, status="done", n_votes=120, result={"consensus": consensus}
    )
    queued = OpinionMapRun.objects.create(
        consultation=consultation, status="queued", result={"consensus": consensus}
    )
    rec = services.draft_recommendation(by=organiser, **fields)
    evidence = services.link_evidence(rec, "consensus_statement", run.pk, accepted.pk, by=organiser)
    assert evidence.quote == accepted.text and evidence.language == "fr"
    assert evidence.count == 120 and evidence.label == "agree"
    with pytest.raises(ValidationError, match="accepted statements"):
        services.link_evidence(rec, "consensus_statement", run.pk, pending.pk, by=organiser)
    with pytest.raises(ValidationError, match="finished opinion map"):
        services.link_evidence(rec, "consensus_statement", queued.pk, accepted.pk, by=organiser)
    with pytest.raises(ValidationError, match="not a consensus statement"):
        services.link_evidence(rec, "consensus_statement", run.pk, 999999, by=organiser)
    assert Evidence.objects.count() == 1


def test_a_code_of_conduct_article_is_evidence_unless_deleted(organiser, fields):
    from cityforum.drafting.models import Article
    from cityforum.drafting.seed import load_code_of_conduct

    document = load_code_of_conduct()
    article = document.articles.get(number=2)
    rec = services.draft_recommendation(by=organiser, **fields)
    evidence = services.link_evidence(rec, "article", article.pk, by=organiser)
    assert evidence.quote and evidence.language == article.source_language
    Article.objects.filter(pk=article.pk).update(deleted=True)
    other = services.draft_recommendation(by=organiser, **fields)
    with pytest.raises(ValidationError, match="deleted article"):
        services.link_evidence(other, "article", article.pk, by=organiser)
    with pytest.raises(ValidationError, match="no article"):
        services.link_evidence(other, "article", 999999, by=organiser)


def test_a_number_past_64_bits_is_refused_as_unknown_not_a_server_error(organiser, fields):
    huge = 2**70
    with pytest.raises(ValidationError, match="Unknown consultation"):
        services.draft_recommendation(by=organiser, **{**fields, "consultations": [huge]})
    rec = services.draft_recommendation(by=organiser, **fields)
    with pytest.raises(ValidationError, match="Say which source"):
        services.link_evidence(rec, "contribution", str(huge), by=organiser)
    with pytest.raises(ValidationError, match="Say which source"):
        services.link_evidence(rec, "theme", "many", by=organiser)
