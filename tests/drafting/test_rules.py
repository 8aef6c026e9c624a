"""Who may propose, vote and decide, for every role and consultation status."""

from __future__ import annotations

import pytest
import rules

from cityforum.drafting.models import Document

from .conftest import ROLES, make_person

STATUSES = ["planned", "open", "closed", "synthesised", "published"]


def set_status(document: Document, status: str) -> None:
    document.consultation.status = status
    document.consultation.save(update_fields=["status"])


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_signed_in_people_propose_and_vote_only_while_the_consultation_is_open(
    document: Document, role: str, status: str
) -> None:
    set_status(document, status)
    person = make_person(role)
    expected = role != "public" and status == "open"
    assert rules.test_rule("drafting.propose", person, document) is expected
    assert rules.test_rule("drafting.vote", person, document) is expected
    assert rules.test_rule("drafting.endorse", person, document) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_only_organisers_accept_amendments(document: Document, role: str, status: str) -> None:
    set_status(document, status)
    person = make_person(role)
    assert rules.test_rule("drafting.decide", person, document) is (role == "organiser")


@pytest.mark.parametrize("role", ROLES)
def test_nobody_amends_a_frozen_document(document: Document, role: str) -> None:
    document.status = Document.Status.FROZEN
    document.save(update_fields=["status"])
    person = make_person(role)
    assert not rules.test_rule("drafting.propose", person, document)
    assert not rules.test_rule("drafting.decide", person, document)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_signed_in_people_comment_and_give_opinions_only_while_open(
    document: Document, role: str, status: str
) -> None:
    set_status(document, status)
    person = make_person(role)
    expected = role != "public" and status == "open"
    assert rules.test_rule("drafting.comment", person, document) is expected
    assert rules.test_rule("drafting.opine", person, document) is expected


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_organisers_translate_while_drafting_and_cite_at_any_time(
    document: Document, role: str, frozen: bool
) -> None:
    if frozen:
        document.status = Document.Status.FROZEN
        document.save(update_fields=["status"])
    person = make_person(role)
    assert rules.test_rule("drafting.translate", person, document) is (
        role == "organiser" and not frozen
    )
    assert rules.test_rule("drafting.cite", person, document) is (role == "organiser")


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_moderators_and_organisers_moderate_signed_in_people_report_and_sign_once_frozen(
    document: Document, role: str, frozen: bool
) -> None:
    if frozen:
        document.status = Document.Status.FROZEN
        document.save(update_fields=["status"])
    person = make_person(role)
    assert rules.test_rule("drafting.moderate", person, document) is (
        role in ("moderator", "organiser")
    )
    assert rules.test_rule("drafting.report", person, document) is (role != "public")
    assert rules.test_rule("drafting.sign", person, document) is (role != "public" and frozen)
