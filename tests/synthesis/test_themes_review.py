"""Organisers review a themes synthesis before approving it: rename, merge, split, reject,
restore, undo. Each change is recomputed from what the run stored (never by fitting the model
again), kept apart from the model's own result, and written to the audit log; a refused change
writes nothing, and an approved synthesis is changed only after it is reopened."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.analysis.themes import Themes
from cityforum.core.models import AuditEvent
from cityforum.people.models import User
from cityforum.synthesis.models import ThemeReview, ThemeRun
from cityforum.synthesis.themes.review import public_themes, replay
from cityforum.synthesis.themes.review_services import (
    merge_themes,
    reject_theme,
    rename_theme,
    restore_theme,
    split_theme,
    undo_last_review,
)
from cityforum.synthesis.themes.services import approve_themes, reopen_themes, run_themes

from . import test_themes_runs as _runs
from .test_themes_runs import PASSWORD, _theme_with

corpus = _runs.corpus
run = _runs.run  # four themes: mobility, water, housing, tourism

LABELS = {"fr": "L'eau pour tous", "en": "Water for all", "es": "Agua para todos"}
SPANISH_HOUSING = ["c:social_housing", "c:urban_renewal", "c:affordable_housing"] + [
    "es:car",
    "es:demasi",
    "es:antigu",
    "es:constru",
]


@pytest.fixture
def run5(corpus: dict[str, Any], organiser: User) -> ThemeRun:
    """Five themes: housing comes out twice (French words; Spanish and Catalan words)."""
    return run_themes(None, by=organiser, n_themes=5)


def _housing_pair(run: ThemeRun) -> tuple[dict[str, Any], dict[str, Any]]:
    housing = [t for t in run.result["themes"] if "c:housing" in t["terms"][:2]]
    assert len(housing) == 2
    return housing[0], housing[1]


def test_with_no_change_the_review_gives_back_the_model_s_result(run: ThemeRun) -> None:
    document = replay(run.result, run.assignment, [], lambda ids: {})
    for raw, reviewed in zip(run.result["themes"], document["themes"], strict=True):
        assert reviewed["status"] == "kept"
        for key in ("id", "labels", "terms", "size", "contributions", "quotes", "prevalence"):
            assert reviewed[key] == raw[key], key
    assert document["trends"] == run.result["trends"]
    assert document["specificities"] == run.result["specificities"]
    assert run.published() == run.result and not run.is_reviewed


def test_renaming_changes_the_reviewed_result_only(run: ThemeRun, organiser: User) -> None:
    water = _theme_with(run, "water")
    review = rename_theme(run, water["id"], {**LABELS, "en": "  Water   for all "}, by=organiser)
    run.refresh_from_db()
    assert review.action == "rename" and review.by == organiser
    renamed = next(t for t in run.reviewed["themes"] if t["id"] == water["id"])
    assert renamed["labels"] == LABELS and renamed["renamed"]
    assert renamed["contributions"] == water["contributions"]
    assert _theme_with(run, "water")["labels"] == water["labels"]  # the raw result is kept
    trend = next(t for t in run.published()["trends"] if t["theme"] == water["id"])
    assert trend["is_global"]
    event = AuditEvent.objects.get(verb="synthesis.theme_rename")
    assert event.actor == organiser and event.data["labels"]["en"] == "Water for all"


def test_merging_recomputes_members_quotes_and_prevalence_without_fitting_again(
    run5: ThemeRun, organiser: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    french, spanish = _housing_pair(run5)
    trend = next(t for t in run5.result["trends"] if t["theme"] == french["id"])
    assert "latam" in trend["regions_absent"]  # French words: not said in Latin America

    def no_fit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a review must not fit the model again")

    monkeypatch.setattr(Themes, "fit", no_fit)
    merge_themes(run5, spanish["id"], french["id"], by=organiser)
    run5.refresh_from_db()
    themes = {t["id"]: t for t in run5.reviewed["themes"]}
    merged, gone = themes[french["id"]], themes[spanish["id"]]
    assert gone["status"] == "merged" and gone["merged_into"] == french["id"]
    assert merged["merged_from"] == [spanish["id"]]
    assert set(merged["contributions"]) == set(french["contributions"]) | set(
        spanish["contributions"]
    )
    assert merged["size"] == 18
    assert {r: p["count"] for r, p in merged["prevalence"].items()} == {
        "africa": 6,
        "aspac": 6,
        "latam": 6,
    }
    assert all(q["contribution"] in merged["contributions"] for q in merged["quotes"])
    assert {q["language"] for q in merged["quotes"]} >= {"fr", "es"}
    assert set(merged["terms"]) >= set(french["terms"]) | set(spanish["terms"])
    trend = next(t for t in run5.reviewed["trends"] if t["theme"] == french["id"])
    assert trend["is_global"] and sorted(trend["regions_present"]) == ["africa", "aspac", "latam"]
    assert spanish["id"] not in {t["theme"] for t in run5.reviewed["trends"]}
    assert [t["id"] for t in public_themes(run5.published())] == [0, 1, 2, 3]
    assert len(run5.result["themes"]) == 5  # the model's result is kept as it was


def test_splitting_moves_the_contributions_that_use_the_chosen_words(
    run5: ThemeRun, organiser: User
) -> None:
    french, spanish = _housing_pair(run5)
    merge_themes(run5, spanish["id"], french["id"], by=organiser)
    split_theme(run5, french["id"], SPANISH_HOUSING, by=organiser)
    run5.refresh_from_db()
    themes = {t["id"]: t for t in run5.reviewed["themes"]}
    new = themes[5]  # the next free id: citations of the other themes stay valid
    rest = themes[french["id"]]
    assert new["split_from"] == french["id"] and rest["split_into"] == [5]
    assert set(new["terms"]) == set(SPANISH_HOUSING) and not set(rest["terms"]) & set(new["terms"])
    assert not set(new["contributions"]) & set(rest["contributions"])
    assert new["size"] + rest["size"] == 18
    assert new["prevalence"]["latam"]["count"] == 6 and new["prevalence"]["africa"]["count"] == 0
    assert rest["prevalence"]["africa"]["count"] == 6
    assert new["labels"]["en"].startswith("social housing")  # named from its words
    assert all(q["contribution"] in new["contributions"] for q in new["quotes"])
    assert new["quotes"] and {q["language"] for q in new["quotes"]} <= {"es", "ca"}
    assert AuditEvent.objects.filter(verb="synthesis.theme_split").count() == 1


def test_a_split_that_would_leave_an_empty_part_is_refused(run: ThemeRun, organiser: User) -> None:
    water = _theme_with(run, "water")
    housing = _theme_with(run, "housing")
    concepts = [t for t in housing["terms"] if t.startswith("c:")]
    cases = [
        (water["id"], ["c:poverty", "c:families"], "the new theme would be empty"),
        (housing["id"], concepts, "the theme left behind would be empty"),
        (housing["id"], housing["terms"], "but not all of them"),
        (housing["id"], [], "but not all of them"),
        (housing["id"], ["c:water"], "“c:water” is not one of the words of theme no."),
    ]
    for theme, terms, message in cases:
        with pytest.raises(ValidationError, match=message):
            split_theme(run, theme, terms, by=organiser)
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="synthesis.theme_").exists()


def test_a_rejected_theme_leaves_the_public_result_and_stays_in_the_record(
    run: ThemeRun, organiser: User
) -> None:
    tourism = _theme_with(run, "tourism")
    reject_theme(run, tourism["id"], by=organiser, reason="Not a theme of the forum")
    run.refresh_from_db()
    public = public_themes(run.published())
    assert tourism["id"] not in {t["id"] for t in public} and len(public) == 3
    kept = next(t for t in run.reviewed["themes"] if t["id"] == tourism["id"])
    assert kept["status"] == "rejected" and kept["size"] == tourism["size"]
    assert tourism["id"] not in {t["theme"] for t in run.reviewed["trends"]}
    assert not [s for s in run.reviewed["specificities"] if s["key"] == str(tourism["id"])]
    event = AuditEvent.objects.get(verb="synthesis.theme_reject")
    assert event.reason == "Not a theme of the forum"
    with pytest.raises(ValidationError, match="restore it first"):
        merge_themes(run, tourism["id"], 0, by=organiser)
    with pytest.raises(ValidationError, match="already rejected"):
        reject_theme(run, tourism["id"], by=organiser)
    restore_theme(run, tourism["id"], by=organiser)
    run.refresh_from_db()
    assert tourism["id"] in {t["id"] for t in public_themes(run.published())}


def test_the_last_change_can_be_undone_and_stays_in_the_record(
    run: ThemeRun, organiser: User
) -> None:
    water = _theme_with(run, "water")
    rename_theme(run, water["id"], LABELS, by=organiser)
    reject_theme(run, water["id"], by=organiser)
    undone = undo_last_review(run, by=organiser)
    run.refresh_from_db()
    assert undone.action == "reject" and undone.undone_by == organiser
    theme = next(t for t in run.reviewed["themes"] if t["id"] == water["id"])
    assert theme["status"] == "kept" and theme["labels"] == LABELS
    undo_last_review(run, by=organiser)
    run.refresh_from_db()
    assert run.reviewed is None and run.published() == run.result
    assert ThemeReview.objects.filter(run=run).count() == 2  # both kept, marked undone
    with pytest.raises(ValidationError, match="Nothing has been changed"):
        undo_last_review(run, by=organiser)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({**LABELS, "fr": "   "}, "The label in French is empty."),
        ({"fr": "Eau", "en": "Water"}, "The label in Spanish is empty."),
        ({**LABELS, "en": "W" * 121}, "The label in English has 121 characters; at most 120."),
        ("Water", "The label in French is empty."),
    ],
)
def test_a_bad_label_is_refused_and_nothing_is_written(
    run: ThemeRun, organiser: User, labels: Any, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        rename_theme(run, 0, labels, by=organiser)
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()
    assert not AuditEvent.objects.filter(verb="synthesis.theme_rename").exists()


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda run, who: merge_themes(run, 1, 1, by=who), "cannot be merged with itself"),
        (lambda run, who: merge_themes(run, "1", " 1", by=who), "cannot be merged with itself"),
        (lambda run, who: merge_themes(run, 1, 9, by=who), "This synthesis has no theme no. 9."),
        (lambda run, who: reject_theme(run, "water", by=who), "not “water”"),
        (lambda run, who: restore_theme(run, 1, by=who), "is not rejected: nothing to restore"),
        (lambda run, who: rename_theme(run, None, LABELS, by=who), "not “None”"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(
    run: ThemeRun, organiser: User, action: Any, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        action(run, organiser)
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()


def test_a_merged_theme_can_no_longer_be_changed(run5: ThemeRun, organiser: User) -> None:
    french, spanish = _housing_pair(run5)
    merge_themes(run5, spanish["id"], french["id"], by=organiser)
    with pytest.raises(ValidationError, match=f"was merged into theme no. {french['id']}"):
        rename_theme(run5, spanish["id"], LABELS, by=organiser)
    assert ThemeReview.objects.count() == 1


def test_an_approved_synthesis_is_reviewed_only_once_reopened(
    run: ThemeRun, organiser: User
) -> None:
    approve_themes(run, by=organiser)
    with pytest.raises(ValidationError, match="approved: reopen it before reviewing it again"):
        rename_theme(run, 0, LABELS, by=organiser)
    with pytest.raises(ValidationError, match="approved: reopen it"):
        undo_last_review(run, by=organiser)
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()
    reopen_themes(run, by=organiser, reason="The water theme needs a better name")
    run.refresh_from_db()
    assert not run.is_approved and run.capitals_profile is None
    event = AuditEvent.objects.get(verb="synthesis.themes_reopen")
    assert event.reason == "The water theme needs a better name"
    assert event.data["approved_by"] == organiser.pk
    rename_theme(run, 0, LABELS, by=organiser)
    with pytest.raises(ValidationError, match="not approved: nothing to reopen"):
        reopen_themes(run, by=organiser)


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_only_organisers_review(run: ThemeRun, role: str) -> None:
    person = User.objects.create_user(f"{role}@example.org", PASSWORD, role=role)
    attempts = [
        lambda: rename_theme(run, 0, LABELS, by=person),
        lambda: merge_themes(run, 0, 1, by=person),
        lambda: split_theme(run, 0, ["c:mobility"], by=person),
        lambda: reject_theme(run, 0, by=person),
        lambda: restore_theme(run, 0, by=person),
        lambda: undo_last_review(run, by=person),
        lambda: reopen_themes(run, by=person),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    run.refresh_from_db()
    assert run.reviewed is None and not ThemeReview.objects.exists()


def test_a_run_computed_before_reviews_existed_says_so(run: ThemeRun, organiser: User) -> None:
    ThemeRun.objects.filter(pk=run.pk).update(assignment=None)
    run.refresh_from_db()
    with pytest.raises(ValidationError, match="compute it again to review it"):
        rename_theme(run, 0, LABELS, by=organiser)
    assert not ThemeReview.objects.exists()
