"""Contributions, edits, endorsements, comments, reports and moderation, through services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cityforum.core.audit import history
from cityforum.participation import services
from cityforum.participation.constituencies import breakdown
from cityforum.participation.markdown import render
from cityforum.participation.models import Comment, Contribution, Endorsement, Report

from .conftest import set_status

GOOD = {
    "type": "practice",
    "title": "Community kitchens",
    "body": "Our neighbourhood runs community kitchens that feed two hundred families each week.",
    "language": "en",
    "capitals": ["social"],
}


def test_a_participant_contributes_to_an_open_consultation(regional, author) -> None:
    c = services.contribute(regional, author, **{**GOOD, "title": "  Community kitchens  "})
    assert c.title == "Community kitchens" and c.status == "visible" and c.source == "online"
    assert [x.code for x in c.capitals.all()] == ["social"]
    assert c.region.code == "africa"  # no organisation or city: the consultation's region


def test_the_language_is_detected_when_not_given(regional, author) -> None:
    body = "La ville doit garantir l'accès à l'eau potable pour toutes les familles du quartier."
    c = services.contribute(regional, author, **{**GOOD, "language": "", "body": body})
    assert c.language == "fr"


def test_an_undetectable_language_asks_the_author(regional, author) -> None:
    with pytest.raises(ValidationError) as error:
        services.contribute(
            regional, author, **{**GOOD, "language": "", "title": "2021", "body": "42"}
        )
    assert "choose it" in error.value.message_dict["language"][0]
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "cannot be empty"),
        ("title", "   \n\t ", "cannot be empty"),
        ("title", "x" * 201, "At most 200 characters"),
        ("body", "", "cannot be empty"),
        ("body", "    ", "cannot be empty"),
        ("body", "x" * 5001, "At most 5000 characters"),
        ("body", "nul \x00 byte", "NUL"),
        ("language", "de", "Unknown language"),
        ("language", "klingon", "Unknown language"),
        ("type", "rant", "Unknown type"),
        ("capitals", [], "between 1 and 3"),
        ("capitals", ["human", "social", "economic", "cultural"], "between 1 and 3"),
        ("capitals", ["happiness"], "Unknown capital"),
    ],
)
def test_bad_contributions_are_refused_and_nothing_is_written(
    regional, author, field, value, message
) -> None:
    with pytest.raises(ValidationError) as error:
        services.contribute(regional, author, **{**GOOD, field: value})
    assert message in " ".join(error.value.message_dict[field])
    assert not Contribution.objects.exists()


def test_every_problem_is_reported_at_once(regional, author) -> None:
    with pytest.raises(ValidationError) as error:
        services.contribute(regional, author, type="x", title="", body="", capitals=[])
    assert set(error.value.message_dict) >= {"type", "title", "body", "capitals"}


@pytest.mark.parametrize("status", ["planned", "closed", "synthesised", "published"])
def test_no_contribution_unless_the_consultation_is_open(regional, author, status) -> None:
    set_status(regional, status)
    with pytest.raises(PermissionDenied, match="only while it is open"):
        services.contribute(regional, author, **GOOD)
    assert not Contribution.objects.exists()


def test_the_public_cannot_contribute(regional, person) -> None:
    with pytest.raises(PermissionDenied):
        services.contribute(regional, person("public"), **GOOD)


def test_html_and_script_are_stored_as_typed_and_rendered_inert() -> None:
    html = str(render('<script>alert(1)</script> <img src=x onerror="alert(1)"> **bold**'))
    assert "<script" not in html and "<img" not in html  # both shown as text
    assert "&lt;script&gt;" in html and "<strong>bold</strong>" in html
    assert 'href="javascript' not in str(render("[x](javascript:alert(1))"))
    assert 'rel="nofollow noopener ugc"' in str(render("[x](https://example.org)"))


def test_the_author_edits_within_30_minutes_and_the_history_is_kept(contribution, author):
    services.edit_contribution(contribution, author, **{**GOOD, "title": "Better title"})
    contribution.refresh_from_db()
    assert contribution.title == "Better title"
    (revision,) = contribution.revisions.all()
    assert revision.title == "Water for every neighbourhood"
    assert revision.capitals == ["social", "environmental"] or set(revision.capitals) == {
        "social",
        "environmental",
    }


def test_no_edit_after_30_minutes_or_moderation_or_by_others(contribution, author, person):
    with pytest.raises(PermissionDenied):
        services.edit_contribution(contribution, person("participant"), **GOOD)
    Contribution.objects.filter(pk=contribution.pk).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    with pytest.raises(PermissionDenied, match="30 minutes"):
        services.edit_contribution(contribution, author, **GOOD)
    assert not contribution.revisions.exists()


def test_bad_edits_change_nothing(contribution, author) -> None:
    with pytest.raises(ValidationError):
        services.edit_contribution(contribution, author, **{**GOOD, "title": " "})
    contribution.refresh_from_db()
    assert contribution.title == "Water for every neighbourhood"
    assert not contribution.revisions.exists()


def test_one_endorsement_per_person(contribution, person) -> None:
    reader = person("participant")
    services.endorse(contribution, reader)
    with pytest.raises(services.AlreadyEndorsed):
        services.endorse(contribution, reader)
    assert Endorsement.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.create(contribution=contribution, person=reader)
    assert services.withdraw_endorsement(contribution, reader) is True
    assert not Endorsement.objects.exists()


def test_authors_do_not_endorse_themselves(contribution, author) -> None:
    with pytest.raises(PermissionDenied):
        services.endorse(contribution, author)


def test_endorsements_are_broken_down_by_organisation_kind_and_region(
    contribution, person, organisations
) -> None:
    services.endorse(contribution, person("participant", "a@x.org", organisations["city"]))
    services.endorse(contribution, person("participant", "b@x.org", organisations["city"]))
    services.endorse(contribution, person("participant", "c@x.org", organisations["ngo"]))
    services.endorse(contribution, person("participant", "d@x.org"))
    counts = breakdown(contribution.endorsements.all()).as_dict()
    assert counts["total"] == 4
    assert counts["by_organisation_kind"]["local_government"] == 2
    assert counts["by_organisation_kind"]["civil_society"] == 1
    assert counts["by_organisation_kind"]["unknown"] == 1
    assert counts["by_region"]["africa"] == 2
    assert counts["by_region"]["latam"] == 1
    assert counts["by_region"]["unknown"] == 1


def test_comments_have_one_level_of_replies(contribution, person) -> None:
    reader = person("participant")
    first = services.comment(contribution, reader, "I agree.")
    reply = services.comment(contribution, reader, "And more.", parent=first)
    with pytest.raises(ValidationError, match="cannot be replied to"):
        services.comment(contribution, reader, "Deeper.", parent=reply)
    for bad in ["", "   ", "x" * 2001]:
        with pytest.raises(ValidationError):
            services.comment(contribution, reader, bad)
    assert Comment.objects.count() == 2


def test_no_comment_once_the_consultation_is_closed(contribution, person, regional) -> None:
    set_status(regional, "closed")
    with pytest.raises(PermissionDenied):
        services.comment(contribution, person("participant"), "Late.")


def test_a_report_then_a_hide_with_a_reason_audited_and_visible_to_the_author(
    contribution, person, author
) -> None:
    reader, moderator = person("participant"), person("moderator of the region")
    services.report(reader, contribution, "Off topic")
    with pytest.raises(ValidationError, match="already reported"):
        services.report(reader, contribution, "Again")
    with pytest.raises(ValidationError):
        services.report(person("participant", "z@x.org"), contribution, "   ")
    with pytest.raises(PermissionDenied):
        services.moderate(contribution, "hide", "Spam", person("moderator elsewhere"))
    with pytest.raises(ValidationError):
        services.moderate(contribution, "hide", "", moderator)
    with pytest.raises(ValidationError):
        services.moderate(contribution, "delete", "Spam", moderator)
    services.moderate(contribution, "hide", "Advertising", moderator)
    contribution.refresh_from_db()
    assert contribution.is_hidden and contribution.moderation_reason == "Advertising"
    assert Report.objects.get().resolved_by == moderator
    (event,) = history(contribution)
    assert (event.verb, event.actor, event.reason) == (
        "contribution.hide",
        moderator,
        "Advertising",
    )
    with pytest.raises(PermissionDenied):
        services.edit_contribution(contribution, author, **GOOD)
    services.moderate(contribution, "restore", "Mistake", moderator)
    assert [e.verb for e in history(contribution)] == ["contribution.restore", "contribution.hide"]


def test_comments_are_moderated_too(contribution, person) -> None:
    remark = services.comment(contribution, person("participant"), "Rude words")
    services.moderate(remark, "hide", "Insult", person("organiser"))
    remark.refresh_from_db()
    assert remark.is_hidden and history(remark).get().verb == "comment.hide"


def test_workshop_minutes_name_their_meeting_and_organisation(
    regional, person, organisations
) -> None:
    moderator = person("moderator of the region")
    c = services.enter_workshop_minutes(
        regional, moderator, **GOOD, meeting_name="Dakar workshop", meeting_date="2021-04-20",
        meeting_place="Dakar", on_behalf_of=organisations["city"],
    )  # fmt: skip
    assert c.source == "workshop" and c.organisation == organisations["city"]
    assert str(c.meeting_date) == "2021-04-20" and c.region.code == "africa"
    with pytest.raises(ValidationError) as error:
        services.enter_workshop_minutes(
            regional, moderator, **GOOD, meeting_name=" ", meeting_date="20/04/2021",
            meeting_place="", on_behalf_of=None,
        )  # fmt: skip
    assert set(error.value.message_dict) >= {
        "meeting_name", "meeting_date", "meeting_place", "on_behalf_of"
    }  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.enter_workshop_minutes(
            regional, person("participant"), **GOOD, meeting_name="M", meeting_date="2021-04-20",
            meeting_place="P", on_behalf_of=organisations["city"],
        )  # fmt: skip
    assert Contribution.objects.count() == 1
