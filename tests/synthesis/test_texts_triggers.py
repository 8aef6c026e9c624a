"""Who starts a text synthesis, and how: ``cityforum synthesize texts [CONSULTATION]`` (and its
first name ``synthesize themes``), the background job with its progress, the organisers'
Compute button, and the back office's read-only records."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from cityforum.cli.main import cli
from cityforum.core.models import AuditEvent
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.synthesis.models import ThemeRun
from cityforum.synthesis.themes import services as themes_services
from cityforum.synthesis.themes.services import compute_queued_theme_run, run_themes

from . import test_themes_runs as _runs
from .test_themes_runs import PASSWORD

corpus = _runs.corpus


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


def test_synthesize_texts_takes_all_consultations_or_one(runner: CliRunner, corpus: Any) -> None:
    result = runner.invoke(cli, ["synthesize", "texts", "--themes", "4"])
    assert result.exit_code == 0, result.output
    run = ThemeRun.objects.get()
    assert run.consultation is None and "4 themes in 60 contributions" in result.output
    assert run.assignment["ids"] and len(run.assignment["shares"]) == 60
    one = runner.invoke(cli, ["synthesize", "texts", "regional-latam", "--themes", "3"])
    assert one.exit_code == 0, one.output
    assert ThemeRun.objects.get(consultation__slug="regional-latam").n_contributions == 24
    same = runner.invoke(cli, ["synthesize", "themes", "--consultation", "regional-latam"])
    assert same.exit_code == 0  # the first name of the command still works
    bad = runner.invoke(cli, ["synthesize", "texts", "nowhere"])
    assert bad.exit_code != 0 and "No consultation is called “nowhere”." in bad.output


def test_the_background_job_records_its_progress_then_reuses_a_finished_run(
    runner: CliRunner,
    corpus: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[tuple[int, str]] = []
    record_progress = themes_services._progress

    def spy(run: ThemeRun, percent: int, stage: str) -> None:
        record_progress(run, percent, stage)
        stored = ThemeRun.objects.only("progress", "stage").get(pk=run.pk)  # saved for the page
        seen.append((stored.progress, stored.stage))

    monkeypatch.setattr(themes_services, "_progress", spy)
    with django_capture_on_commit_callbacks(execute=True):
        result = runner.invoke(cli, ["synthesize", "texts", "--themes", "4", "--background"])
        assert result.exit_code == 0, result.output
        assert "queued for the background worker" in result.output
        assert ThemeRun.objects.get().status == ThemeRun.Status.QUEUED  # nobody waits
    run = ThemeRun.objects.get()
    assert run.status == ThemeRun.Status.DONE and run.progress == 100 and run.stage == "done"
    assert run.n_themes == 4 and run.n_contributions == 60 and run.assignment
    assert [stage for _p, stage in seen] == ["reading", "fitting", "saving"]
    assert [p for p, _s in seen] == sorted(p for p, _s in seen)
    assert AuditEvent.objects.filter(verb="synthesis.themes_queue").exists()

    with django_capture_on_commit_callbacks(execute=True):
        again = run_themes(None, n_themes=4, background=True)
    again.refresh_from_db()
    assert again.status == "done" and again.result == run.result
    event = AuditEvent.objects.get(verb="synthesis.themes_reuse")
    assert event.data["reused_run"] == run.pk


def test_a_background_run_that_cannot_finish_fails_with_the_reason(corpus: Any) -> None:
    queued = ThemeRun.objects.create(
        consultation=Consultation.objects.get(slug="regional-mewa"),
        status=ThemeRun.Status.QUEUED,
        parameters=themes_services.themes_parameters(3, 0, 60),
    )
    run = compute_queued_theme_run(queued.pk)
    assert run.status == ThemeRun.Status.FAILED and run.finished_at is not None
    assert "at least 20 visible contributions; there are 0" in run.error
    assert AuditEvent.objects.filter(verb="synthesis.themes_fail").exists()
    assert compute_queued_theme_run(queued.pk).status == ThemeRun.Status.FAILED  # taken once


def test_too_few_contributions_are_refused_before_anything_is_queued(
    runner: CliRunner, programme: None
) -> None:
    result = runner.invoke(cli, ["synthesize", "texts", "--background"])
    assert result.exit_code != 0 and "at least 20 visible contributions" in result.output
    assert not ThemeRun.objects.exists()


def test_organisers_start_a_synthesis_from_the_page(
    corpus: Any, organiser: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(organiser)
    page = client.get("/en/synthesis/themes/").content.decode()
    assert 'action="/en/synthesis/themes/compute/"' in page and "regional-latam" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/synthesis/themes/compute/",
            {"consultation": "regional-latam", "themes": "3", "seed": "0"},
            follow=True,
        )
    run = ThemeRun.objects.get()
    assert f"Synthesis no. {run.pk} is being computed" in response.content.decode()
    assert run.status == "done" and run.consultation.slug == "regional-latam"
    assert run.requested_by == organiser
    bad = client.post("/en/synthesis/themes/compute/", {"themes": "many"}, follow=True)
    assert "The number of themes is a whole number, not “many”." in bad.content.decode()
    assert ThemeRun.objects.count() == 1


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_others_cannot_start_a_synthesis(corpus: Any, role: str) -> None:
    client = Client()
    client.force_login(User.objects.create_user(f"{role}@example.org", PASSWORD, role=role))
    assert client.post("/en/synthesis/themes/compute/", {}).status_code == 403
    assert not ThemeRun.objects.exists()


def test_the_back_office_shows_reviews_tags_and_classifiers_read_only(
    organiser: User, programme: None
) -> None:
    client = Client()
    client.force_login(organiser)
    for model in ("themereview", "capitaltag", "capitalclassifiermodel", "themerun"):
        assert client.get(f"/admin/synthesis/{model}/").status_code == 200
        assert client.get(f"/admin/synthesis/{model}/add/").status_code == 403


def test_many_contributions_go_to_the_background_on_their_own(
    corpus: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CITYFORUM_THEMES_BACKGROUND_CONTRIBUTIONS = 50  # the 60 contributions are "many"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = run_themes(None, n_themes=4)
    assert queued.status == ThemeRun.Status.QUEUED and len(callbacks) == 1
    settings.CITYFORUM_THEMES_BACKGROUND_CONTRIBUTIONS = 100
    assert run_themes(None, n_themes=4).status == ThemeRun.Status.DONE
