"""The recommendations in the open data: published ones with their links and support counts,
never a draft, never who wrote or endorsed them; evidence points at published rows only; and
a bundle re-imported into a fresh instance gives back the same recommendations, evidence and
counts (the whole-bundle round trip of ``test_round_trip.py`` compares every dataset)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cityforum.opendata.bundle import write_bundle
from cityforum.opendata.services import import_bundle
from cityforum.recommendations.models import Recommendation
from cityforum.recommendations.support import support

from .conftest import DRAFT_RECOMMENDATION
from .helpers import items, rows
from .test_round_trip import fresh_instance


def test_published_recommendations_carry_links_and_support_counts(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    write_bundle(tmp_path / "bundle")
    folder = tmp_path / "bundle"
    published = items(folder, "recommendations")
    assert [r["text"] for r in published] == ["Open climate funds directly to intermediary cities."]
    row = published[0]
    assert row["line"] == "financing" and row["addressee"] == "global"
    assert row["status"] == "adopted"
    assert row["capitals"] == ["economic", "environmental"]
    assert row["consultations"] == ["regional-africa"]
    assert row["endorsements"] == 2
    assert row["endorsements_by_constituency"]["civil_society"] == 1
    assert row["endorsements_by_constituency"]["local_government"] == 1
    assert row["endorsements_by_region"]["africa"] == 2
    assert not {"author", "author_id", "email", "person", "user"} & set(row)
    evidence = items(folder, "recommendation_evidence")
    assert sorted(e["kind"] for e in evidence) == ["article", "contribution", "theme"]
    contributions = {int(r["id"]) for r in rows(folder, "contributions")}
    by_kind = {e["kind"]: e for e in evidence}
    assert by_kind["contribution"]["contribution"] in contributions
    assert by_kind["theme"]["theme_run"] == forum["approved"].pk
    endorsements = rows(folder, "recommendation_endorsements")
    assert sorted(r["constituency"] for r in endorsements) == ["civil_society", "local_government"]
    assert set(endorsements[0]) == {"recommendation", "constituency", "region"}
    for name in ("recommendations", "recommendation_evidence", "recommendation_endorsements"):
        text = (folder / f"{name}.csv").read_text(encoding="utf-8")
        assert DRAFT_RECOMMENDATION not in text


def test_a_reimported_bundle_rebuilds_the_same_support(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    before = support(forum["recommendation"]).as_dict()
    write_bundle(tmp_path / "first")
    fresh_instance()
    assert not Recommendation.objects.exists()
    import_bundle(tmp_path / "first", operator=True)
    [again] = Recommendation.objects.all()
    assert again.status == "adopted" and again.evidence.count() == 3
    assert support(again).as_dict() == before
    write_bundle(tmp_path / "second")
    first = items(tmp_path / "first", "recommendations")[0]
    second = items(tmp_path / "second", "recommendations")[0]
    assert {k: v for k, v in first.items() if k != "id"} == {
        k: v for k, v in second.items() if k != "id"
    }
