"""Support (backed across regions: the trend rule ⌈2R/3⌉) and the balance of the consulted
and adopted recommendations over capitals × lines and capitals × addressees."""

from __future__ import annotations

import pytest

from cityforum.recommendations import services
from cityforum.recommendations.balance import balance, matrices
from cityforum.recommendations.support import regions_needed, support, support_many

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("r", "needed"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5)]
)
def test_regions_needed_is_the_ceiling_of_two_thirds(r, needed):
    assert regions_needed(r) == needed


def test_support_is_broken_down_by_constituency_and_section(
    organiser, fields, member, contributions_from
):
    contributions_from(["africa", "latam", "aspac"])
    rec = services.draft_recommendation(by=organiser, **fields)
    services.endorse(rec, by=member("africa", "a1@example.org"))
    services.endorse(rec, by=member("africa", "a2@example.org"))
    first = support(rec)
    assert first.total == 2
    assert {s.code: s.count for s in first.by_constituency}["local_government"] == 2
    assert {s.code: s.count for s in first.by_region}["africa"] == 2
    assert sorted(first.sections_taking_part) == ["africa", "aspac", "latam"]
    assert first.needed == 2 and not first.backed_across_regions
    services.endorse(rec, by=member("latam", "l1@example.org"))
    second = support(rec)
    assert second.backed_across_regions
    assert sorted(second.sections_endorsing) == ["africa", "latam"]
    assert second.as_dict()["by_constituency"]["civil_society"] == 1


def test_endorsements_from_sections_that_did_not_take_part_do_not_count_towards_backing(
    organiser, fields, member, contributions_from
):
    contributions_from(["africa", "latam", "aspac"])
    rec = services.draft_recommendation(by=organiser, **fields)
    services.endorse(rec, by=member("africa", "a1@example.org"))
    services.endorse(rec, by=services_person_without_section())
    result = support_many([rec])[rec.pk]
    assert result.total == 2 and result.sections_endorsing == ["africa"]
    assert {s.code: s.count for s in result.by_region}["unknown"] == 1
    assert not result.backed_across_regions


def services_person_without_section():
    from cityforum.people.models import User

    return User.objects.create_user("nowhere@example.org", "a-long-pass-phrase")


def test_matrices_count_a_two_capital_recommendation_once_in_each():
    by_line, by_addressee, n = matrices(
        [("financing", "global", ["economic", "human"]), ("advocacy", "local", ["economic"])]
    )
    assert n == 2
    assert by_line["economic"]["financing"] == 1 and by_line["human"]["financing"] == 1
    assert by_line["economic"]["advocacy"] == 1 and by_addressee["economic"]["local"] == 1
    assert by_line["cultural"] == {
        "advocacy": 0,
        "financing": 0,
        "capacity_building": 0,
        "implementation": 0,
    }


def test_balance_counts_consulted_and_adopted_only_and_names_empty_cells(
    organiser, fields, proposal
):
    draft = services.draft_recommendation(by=organiser, **fields)
    assert balance().index is None and balance().n_recommendations == 0
    services.link_evidence(draft, "contribution", proposal.pk, by=organiser)
    services.change_status(draft, "consulted", by=organiser, reason="Soumise.")
    services.draft_recommendation(by=organiser, **{**fields, "capitals": ["human"]})  # a draft
    result = balance()
    assert result.n_recommendations == 1
    assert result.by_line["economic"]["financing"] == 1
    assert result.capital_totals == {
        "human": 0,
        "social": 0,
        "economic": 1,
        "cultural": 0,
        "environmental": 0,
    }
    assert result.index is not None and result.index.band == "unbalanced"
    assert set(result.index.flags) == {"human", "social", "cultural", "environmental"}
    empty = {(a.capital, a.line) for a in result.alerts if a.kind == "empty"}
    assert ("cultural", "advocacy") in empty and ("economic", "financing") not in empty
    assert len(empty) == 19
    by_level = {(a.capital, a.line) for a in result.addressee_alerts if a.kind == "empty"}
    assert ("economic", "global") in by_level and ("economic", "national") not in by_level
    assert len(by_level) == 19
    assert result.as_dict()["index"]["band"] == "unbalanced"


def test_an_even_output_is_balanced(organiser, fields, proposal):
    for capital in ["human", "social", "economic", "cultural", "environmental"]:
        rec = services.draft_recommendation(by=organiser, **{**fields, "capitals": [capital]})
        services.link_evidence(rec, "contribution", proposal.pk, by=organiser)
        services.change_status(rec, "consulted", by=organiser, reason="Soumise.")
    result = balance()
    assert result.index is not None and result.index.balance == pytest.approx(1.0)
    assert result.index.band == "balanced" and not result.index.flags
