"""The consultation's opinion map page: read from the stored run, in French, English, Spanish."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from django.test import Client

from cityforum.analysis.opinion import OpinionMap
from cityforum.cities.models import Country
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Consultation, Region
from cityforum.statements.models import Statement, Vote, Voter
from cityforum.synthesis.opinion.figures import DOT_LIMIT, map_points
from cityforum.synthesis.opinion.services import run_opinion_map


def page(consultation: Consultation, language: str = "en") -> tuple[int, str]:
    response = Client().get(f"/{language}/synthesis/{consultation.slug}/opinion/")
    return response.status_code, response.content.decode()


def shares(consultation: Consultation, run: Any, statement: int, group: int) -> tuple[int, int]:
    """The agree share of a statement inside a group and among the other groups, from the DB."""
    groups = {int(p): v["group"] for p, v in run.result["participants"].items()}
    inside = [0, 0]
    outside = [0, 0]
    for public_id, value in Vote.objects.filter(statement_id=statement).values_list(
        "voter__public_id", "value"
    ):
        g = groups[public_id]
        if g is None:
            continue
        bucket = inside if g == group else outside
        bucket[0] += value == 1
        bucket[1] += 1
    return round(100 * inside[0] / inside[1]), round(100 * outside[0] / outside[1])


def test_the_page_shows_groups_and_their_statements_with_figures_in_three_languages(
    conversation: Consultation,
) -> None:
    run = run_opinion_map(conversation)
    first = next(
        (g["id"], r)
        for g in run.result["groups"]
        for r in g["representative"]
        if r["direction"] == "agree"
    )
    group, representative = first
    text = Statement.objects.get(pk=representative["statement"]).text
    inside, outside = shares(conversation, run, representative["statement"], group)
    label = "AB"[group]
    for language in ("fr", "en", "es"):
        status, html = page(conversation, language)
        assert status == 200
        assert f'<html lang="{language}"' in html
        assert html.count("<circle") == len(run.result["participants"])  # < 3,000: dots
        assert 'role="img"' in html and "<desc" in html and "<table" in html
        assert text in html
        for g in run.result["groups"]:
            assert f"<td>{g['size']}</td>" in html
    status, html = page(conversation, "en")
    assert f"{inside} % of group {label} agree, against {outside} % of the others." in html
    assert run.input_sha256 in html and run.engine_version in html
    assert "Consensus" in html and "Divisive statements" in html
    assert re.search(r"\d+ % of the \d+ participants who voted on it (agree|disagree)", html)


def test_rejected_statements_never_appear_among_representative_or_consensus_statements(
    conversation: Consultation, organiser: Any
) -> None:
    from cityforum.statements.services import moderate_statement

    rejected = list(Statement.objects.filter(consultation=conversation, status="rejected"))
    assert rejected  # vTaiwan has comments moderated out
    run = run_opinion_map(conversation)
    listed = {r["statement"] for g in run.result["groups"] for r in g["representative"]}
    listed |= {c["statement"] for side in run.result["consensus"].values() for c in side}
    assert not listed & {s.pk for s in rejected}

    # Rejected after the run: the stored result still names it, the page no longer shows it.
    representative = Statement.objects.get(
        pk=run.result["groups"][0]["representative"][0]["statement"]
    )
    consensus = Statement.objects.get(pk=run.result["consensus"]["agree"][0]["statement"])
    _status, before = page(conversation)
    assert representative.text in before and consensus.text in before
    for statement in (representative, consensus):
        moderate_statement(statement, by=organiser, accept=False, reason="Off topic.")
    _status, after = page(conversation)
    for statement in [*rejected, representative, consensus]:
        assert f"<q>{statement.text}</q>" not in after


def test_the_page_reads_the_stored_run_and_never_recomputes(
    conversation: Consultation, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    run_opinion_map(conversation)

    def no_fit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the page computed the opinion map")

    monkeypatch.setattr(OpinionMap, "fit", no_fit)
    with django_assert_max_num_queries(10):
        status, _html = page(conversation)
    assert status == 200


def test_group_sizes_by_region_and_organisation_type(
    conversation: Consultation, programme: None
) -> None:
    africa = Region.objects.get(code="africa")
    country = Country.objects.create(iso2="KE", name="Kenya", section=africa)
    council = Organisation.objects.create(
        name="Kisumu County", kind="local_government", country=country
    )
    ngo = Organisation.objects.create(name="Ushirika", kind="civil_society")
    voters = list(Voter.objects.filter(consultation=conversation).order_by("pk")[:3])
    for i, voter in enumerate(voters):
        voter.user = User.objects.create_user(
            f"v{i}@example.org", "a-long-pass-phrase", organisation=council if i < 2 else ngo
        )
        voter.save()
    run = run_opinion_map(conversation)
    composition = run.figures["composition"]
    grouped = [run.result["participants"][str(v.public_id)]["group"] is not None for v in voters]
    by_kind = composition["by_organisation_kind"]
    assert sum(c.get("local_government", 0) for c in by_kind) == sum(grouped[:2])
    assert sum(c.get("civil_society", 0) for c in by_kind) == grouped[2]
    assert sum(c.get("africa", 0) for c in composition["by_region"]) == sum(grouped[:2])
    total = sum(sum(c.values()) for c in composition["by_region"])
    assert total == sum(g["size"] for g in run.result["groups"])  # everyone grouped, once

    _status, html = page(conversation)
    assert "Group sizes by world section" in html and "Group sizes by organisation type" in html
    assert str(africa.name) in html and "local government" in html and "civil society" in html
    assert "unknown" in html  # anonymous and imported voters


def test_without_a_run_the_page_says_so_and_the_consultation_page_has_no_link(
    consultation: Consultation,
) -> None:
    status, html = page(consultation)
    assert status == 404 and "No opinion map has been computed" in html
    assert (
        "/synthesis/"
        not in Client().get(f"/en/consultations/{consultation.slug}/").content.decode()
    )
    assert Client().get("/en/synthesis/no-such-consultation/opinion/").status_code == 404


def test_the_consultation_page_links_to_its_opinion_map(conversation: Consultation) -> None:
    run_opinion_map(conversation)
    html = Client().get(f"/en/consultations/{conversation.slug}/").content.decode()
    assert f"/en/synthesis/{conversation.slug}/opinion/" in html


def test_the_map_is_dots_up_to_a_few_thousand_participants_then_a_density_grid() -> None:
    rng = np.random.default_rng(0)

    def fitted(n: int) -> Any:
        return SimpleNamespace(coords_=rng.normal(size=(n, 2)), groups_=rng.integers(-1, 3, size=n))

    small = map_points(fitted(DOT_LIMIT))
    assert small["kind"] == "dots" and len(small["dots"]) == DOT_LIMIT
    assert all(0 <= x <= 640 and 0 <= y <= 420 for x, y, _g in small["dots"])
    large = map_points(fitted(DOT_LIMIT + 1))
    assert large["kind"] == "density"
    assert sum(n for _x, _y, n, _g in large["cells"]) == DOT_LIMIT + 1
    assert len(large["cells"]) < DOT_LIMIT
