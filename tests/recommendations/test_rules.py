"""Every named rule of recommendations, for every role (and the author of a draft)."""

from __future__ import annotations

import pytest
import rules

from cityforum.recommendations import services

from .conftest import ROLES, make_person

pytestmark = pytest.mark.django_db

#: rule → roles allowed on a draft written by an organiser (public, participant, moderator,
#: organiser, in the order of ROLES).
EXPECTED = {
    "recommendations.draft": (False, False, True, True),
    "recommendations.propose": (False, True, True, True),
    "recommendations.edit": (False, False, True, True),
    "recommendations.translate": (False, False, True, True),
    "recommendations.link_evidence": (False, False, True, True),
    "recommendations.decide": (False, False, False, True),
    "recommendations.endorse": (False, True, True, True),
    "recommendations.withdraw_endorsement": (False, True, True, True),
}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_each_rule_for_each_role(programme, fields, rule):
    writer = make_person("organiser", "writer@example.org")
    recommendation = services.draft_recommendation(by=writer, **fields)
    people = [make_person(role) for role in ROLES]
    allowed = tuple(rules.test_rule(rule, person, recommendation) for person in people)
    assert allowed == EXPECTED[rule]


def test_the_author_edits_a_draft_only(participant, organiser, fields, proposal):
    recommendation = services.propose_recommendation(by=participant, **fields)
    assert rules.test_rule("recommendations.edit", participant, recommendation)
    services.link_evidence(recommendation, "contribution", proposal.pk, by=organiser)
    services.change_status(recommendation, "consulted", by=organiser, reason="Put to sections.")
    assert not rules.test_rule("recommendations.edit", participant, recommendation)


def test_nobody_endorses_a_withdrawn_recommendation(participant, organiser, fields):
    recommendation = services.draft_recommendation(by=organiser, **fields)
    services.change_status(recommendation, "withdrawn", by=organiser, reason="Merged.")
    assert not rules.test_rule("recommendations.endorse", participant, recommendation)
    assert rules.test_rule("recommendations.withdraw_endorsement", participant, recommendation)
