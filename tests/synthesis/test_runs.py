"""Opinion-map runs: computed from a consultation's votes, stored with their provenance,
reused while the votes do not change, and refused — nothing stored — when too small."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from sklearn.metrics import adjusted_rand_score

from cityforum.analysis.opinion import OpinionMap
from cityforum.analysis.polis_export import read_polis_export
from cityforum.core.models import AuditEvent
from cityforum.programme.models import Consultation
from cityforum.statements.models import Statement, Vote, Voter
from cityforum.synthesis.models import OpinionMapRun
from cityforum.synthesis.opinion import services
from cityforum.synthesis.opinion.services import run_opinion_map


def test_a_run_stores_the_groups_the_engine_finds_on_the_pol_is_export(
    conversation: Consultation, vtaiwan: Path, organiser: Any
) -> None:
    run = run_opinion_map(conversation, by=organiser, seed=3)

    assert run.status == OpinionMapRun.Status.DONE and run.progress == 100
    assert run.requested_by == organiser and run.finished_at is not None
    assert run.n_votes == Vote.objects.filter(statement__consultation=conversation).count()
    assert len(run.input_sha256) == 64 and run.result["input_sha256"] == run.input_sha256
    assert "numpy" in run.engine_version and "scikit-learn" in run.engine_version
    assert run.seed == 3 and run.parameters["random_state"] == 3
    assert run.parameters == OpinionMap(random_state=3).get_params()  # every parameter, explicit
    assert set(run.result["timings"]) == {"read", "fit", "serialise"}

    # Keyed by the voters' public ids and the statements' ids.
    voters = Voter.objects.filter(consultation=conversation)
    assert set(run.result["participants"]) == {
        str(p) for p in voters.values_list("public_id", flat=True)
    }
    statement_ids = set(
        Statement.objects.filter(consultation=conversation).values_list("pk", flat=True)
    )
    listed = {r["statement"] for g in run.result["groups"] for r in g["representative"]}
    assert listed and listed <= statement_ids

    # The same groups as the engine fitted directly on the Pol.is export (ARI = 1).
    export = read_polis_export(vtaiwan)
    direct = OpinionMap(random_state=3).fit(
        export.participants, export.statements, export.values, export.moderated_out
    )
    stored = run.result["participants"]
    ours = [stored[str(p)]["group"] for p in direct.participants_.tolist()]
    ours = [-1 if g is None else g for g in ours]
    assert adjusted_rand_score(direct.groups_, ours) == 1.0
    assert run.n_groups == direct.n_groups_ >= 2
    assert [g["size"] for g in run.result["groups"]] == [
        int((direct.groups_ == g).sum()) for g in range(direct.n_groups_)
    ]
    assert AuditEvent.objects.filter(verb="opinion_map.done", target_id=str(run.pk)).exists()


def test_unchanged_votes_reuse_the_stored_run_without_computing(
    conversation: Consultation, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_opinion_map(conversation)

    def no_fit(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the opinion map was computed again")

    monkeypatch.setattr(OpinionMap, "fit", no_fit)
    again = run_opinion_map(conversation)
    assert again.pk == first.pk and again.input_sha256 == first.input_sha256
    assert OpinionMapRun.objects.count() == 1


def test_a_new_vote_or_a_rejection_changes_the_checksum_and_makes_a_new_run(
    conversation: Consultation, organiser: Any
) -> None:
    from django.utils import timezone

    from cityforum.statements.services import moderate_statement

    first = run_opinion_map(conversation)
    voter = Voter.objects.filter(consultation=conversation).first()
    unvoted = (
        Statement.objects.filter(consultation=conversation, status="accepted")
        .exclude(votes__voter=voter)
        .first()
    )
    now = timezone.now()
    Vote.objects.create(statement=unvoted, voter=voter, value=1, created_at=now, updated_at=now)
    second = run_opinion_map(conversation)
    assert second.pk != first.pk and second.input_sha256 != first.input_sha256
    assert second.n_votes == first.n_votes + 1

    moderate_statement(unvoted, by=organiser, accept=False, reason="Off topic.")
    third = run_opinion_map(conversation)
    assert third.input_sha256 not in {first.input_sha256, second.input_sha256}
    assert OpinionMapRun.objects.filter(status="done").count() == 3


def test_other_parameters_make_another_run(conversation: Consultation) -> None:
    first = run_opinion_map(conversation)
    forced = run_opinion_map(conversation, groups=3)
    assert forced.pk != first.pk and forced.input_sha256 == first.input_sha256
    assert forced.n_groups == 3 and forced.parameters["n_groups"] == 3
    assert services.latest_run(conversation).pk == forced.pk


@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ([], "Not enough votes to group: 0 participants with ≥ 7 votes."),
        # Three voters on two statements: everyone qualifies, nobody differs enough to group.
        ([(1, 0, 1), (1, 1, 1), (2, 0, 1), (2, 1, 1), (3, 0, 1), (3, 1, 1)], "Not enough votes"),
        # One voter with every vote: one participant is no group.
        ([(1, s, 1) for s in range(8)] + [(2, 0, -1)], "1 participants with ≥ 7 votes"),
    ],
    ids=["empty", "identical", "one-active-voter"],
)
def test_a_consultation_too_small_to_group_is_refused_and_nothing_is_stored(
    consultation: Consultation, votes: list[tuple[int, int, int]], message: str
) -> None:
    _cast(consultation, votes)
    with pytest.raises(ValidationError) as error:
        run_opinion_map(consultation)
    assert message in " ".join(error.value.messages)
    assert not OpinionMapRun.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"seed": -1}, "The seed is a whole number"),
        ({"seed": "x"}, "The seed is a whole number"),
        ({"groups": 1}, "The number of groups is a whole number from 2 to 9"),
        ({"groups": True}, "The number of groups is a whole number from 2 to 9"),
    ],
)
def test_bad_parameters_are_refused(
    consultation: Consultation, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        run_opinion_map(consultation, **options)
    assert not OpinionMapRun.objects.exists()


def test_only_organisers_compute_an_opinion_map(
    consultation: Consultation, participant: Any
) -> None:
    with pytest.raises(PermissionDenied):
        run_opinion_map(consultation, by=participant)
    assert not OpinionMapRun.objects.exists()


def test_large_consultations_go_to_the_background_job_which_records_its_progress(
    conversation: Consultation,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CITYFORUM_OPINION_BACKGROUND_VOTES = 1000  # vTaiwan's ~45,000 votes are "large"
    seen: list[tuple[int, str]] = []
    record_progress = services._progress

    def spy(run: OpinionMapRun, percent: int, stage: str | None = None) -> None:
        record_progress(run, percent, stage)
        stored = OpinionMapRun.objects.get(pk=run.pk)  # saved, so a page polling it sees it
        seen.append((stored.progress, stored.stage))

    monkeypatch.setattr(services, "_progress", spy)
    with django_capture_on_commit_callbacks(execute=True):
        queued = run_opinion_map(conversation)
        assert queued.status == OpinionMapRun.Status.QUEUED  # the request does not wait
    run = OpinionMapRun.objects.get(pk=queued.pk)
    assert run.status == OpinionMapRun.Status.DONE and run.progress == 100 and run.stage == "done"
    assert run.n_groups >= 2 and run.input_sha256 and run.result["timings"]["fit"] > 0
    stages = [stage for _percent, stage in seen]
    assert {"reading", "fitting", "saving"} <= set(stages)
    percents = [percent for percent, _stage in seen]
    assert percents == sorted(percents) and percents[0] < 40 < percents[-1]
    assert AuditEvent.objects.filter(verb="opinion_map.queue", target_id=str(run.pk)).exists()

    # The same votes again, in the background: the job reuses the stored result.
    with django_capture_on_commit_callbacks(execute=True):
        again = run_opinion_map(conversation, background=True)
    again.refresh_from_db()
    assert again.status == "done" and again.timings["reused_run"] == run.pk
    assert again.result == run.result


def test_a_background_run_on_too_few_votes_fails_with_the_reason(
    consultation: Consultation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queued = run_opinion_map(consultation, background=True)
    run = OpinionMapRun.objects.get(pk=queued.pk)
    assert run.status == OpinionMapRun.Status.FAILED and run.finished_at is not None
    assert "Not enough votes to group: 0 participants" in run.error
    assert not OpinionMapRun.objects.filter(status="done").exists()
    assert services.latest_run(consultation) is None


def _cast(consultation: Consultation, votes: list[tuple[int, int, int]]) -> None:
    from django.utils import timezone

    statements = [
        Statement.objects.create(consultation=consultation, text=f"S{i}", status="accepted")
        for i in range(1 + max((s for _v, s, _x in votes), default=0))
    ]
    voters = {
        v: Voter.objects.create(consultation=consultation, public_id=1000 + v)
        for v in {v for v, _s, _x in votes}
    }
    now = timezone.now()
    for v, s, value in votes:
        Vote.objects.create(
            statement=statements[s], voter=voters[v], value=value, created_at=now, updated_at=now
        )
