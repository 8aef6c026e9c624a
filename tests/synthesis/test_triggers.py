"""Who starts a run: the admin action on consultations and ``cityforum synthesize opinion``."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib import admin
from django.test import Client

from cityforum.cli.main import cli
from cityforum.programme.models import Consultation
from cityforum.synthesis.admin import compute_opinion_map
from cityforum.synthesis.models import OpinionMapRun


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


def organiser_client(organiser: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(organiser)
    return client


def test_the_consultation_admin_offers_the_action(programme: None) -> None:
    assert compute_opinion_map in admin.site._registry[Consultation].actions


def test_the_admin_action_computes_and_stores_the_map(
    conversation: Consultation, organiser: Any
) -> None:
    response = organiser_client(organiser).post(
        "/admin/programme/consultation/",
        {"action": "compute_opinion_map", "_selected_action": [conversation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    run = OpinionMapRun.objects.get()
    assert run.status == "done" and run.requested_by == organiser
    assert f"opinion map ready, {run.n_groups} groups" in response.content.decode()
    assert (
        organiser_client(organiser)
        .get(f"/admin/synthesis/opinionmaprun/{run.pk}/change/")
        .status_code
        == 200
    )


def test_the_admin_action_on_an_empty_consultation_says_why(
    consultation: Consultation, organiser: Any
) -> None:
    response = organiser_client(organiser).post(
        "/admin/programme/consultation/",
        {"action": "compute_opinion_map", "_selected_action": [consultation.pk]},
        follow=True,
    )
    assert "Not enough votes to group: 0 participants with ≥ 7 votes." in response.content.decode()
    assert not OpinionMapRun.objects.exists()


def test_the_cli_computes_then_reuses_the_map(
    runner: CliRunner, conversation: Consultation
) -> None:
    result = runner.invoke(cli, ["synthesize", "opinion", conversation.slug, "--seed", "2"])
    assert result.exit_code == 0, result.output
    run = OpinionMapRun.objects.get()
    assert run.seed == 2 and run.requested_by is None
    assert f"{run.n_groups} groups" in result.output and f"run {run.pk}" in result.output
    again = runner.invoke(cli, ["synthesize", "opinion", conversation.slug, "--seed", "2"])
    assert again.exit_code == 0 and f"run {run.pk}" in again.output
    assert OpinionMapRun.objects.count() == 1
    forced = runner.invoke(cli, ["synthesize", "opinion", conversation.slug, "--groups", "3"])
    assert forced.exit_code == 0 and "3 groups" in forced.output


def test_the_cli_queues_with_background(
    runner: CliRunner, conversation: Consultation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = runner.invoke(cli, ["synthesize", "opinion", conversation.slug, "--background"])
    assert result.exit_code == 0, result.output
    assert "queued for the background worker" in result.output
    assert OpinionMapRun.objects.get().status == "done"  # huey runs jobs at once in the tests


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-consultation"], "No consultation is called “no-such-consultation”."),
        (["regional-africa"], "Not enough votes to group: 0 participants with ≥ 7 votes."),
        (["regional-africa", "--groups", "1"], "Invalid value for '--groups'"),
    ],
)
def test_the_cli_explains_what_is_wrong(
    runner: CliRunner, consultation: Consultation, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["synthesize", "opinion", *args])
    assert result.exit_code != 0 and message in result.output
    assert not OpinionMapRun.objects.exists()
