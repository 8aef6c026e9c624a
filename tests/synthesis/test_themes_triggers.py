"""Who starts and approves a themes synthesis: ``cityforum synthesize themes``, the admin action
on consultations and the admin action on runs."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib import admin
from django.test import Client

from cityforum.cli.main import cli
from cityforum.programme.models import Consultation
from cityforum.synthesis.admin import compute_opinion_map, compute_themes
from cityforum.synthesis.models import ThemeRun

from . import test_themes_runs as _runs

corpus = _runs.corpus


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


def organiser_client(organiser: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(organiser)
    return client


def test_the_cli_computes_then_reuses_the_themes(runner: CliRunner, corpus: Any) -> None:
    result = runner.invoke(cli, ["synthesize", "themes", "--themes", "4"])
    assert result.exit_code == 0, result.output
    run = ThemeRun.objects.get()
    assert f"4 themes in 60 contributions (run {run.pk}" in result.output
    assert run.requested_by is None and run.consultation is None and run.approved_at is None
    again = runner.invoke(cli, ["synthesize", "themes", "--themes", "4"])
    assert again.exit_code == 0 and ThemeRun.objects.count() == 1
    one = runner.invoke(
        cli, ["synthesize", "themes", "--consultation", "regional-latam", "--themes", "3"]
    )
    assert one.exit_code == 0, one.output
    assert ThemeRun.objects.filter(consultation__slug="regional-latam").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--consultation", "nowhere"], "No consultation is called “nowhere”."),
        ([], "The themes need at least 20 visible contributions; there are 0."),
    ],
)
def test_the_cli_says_what_is_wrong(
    runner: CliRunner, programme: None, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["synthesize", "themes", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not ThemeRun.objects.exists()


def test_the_consultation_admin_offers_both_actions(programme: None) -> None:
    actions = admin.site._registry[Consultation].actions
    assert compute_opinion_map in actions and compute_themes in actions


def test_organisers_compute_and_approve_in_the_admin(corpus: Any, organiser: Any) -> None:
    latam = Consultation.objects.get(slug="regional-latam")
    client = organiser_client(organiser)
    response = client.post(
        "/admin/programme/consultation/",
        {"action": "compute_themes", "_selected_action": [latam.pk]},
        follow=True,
    )
    run = ThemeRun.objects.get()
    assert "themes found; the synthesis awaits approval" in response.content.decode()
    assert run.consultation == latam and run.requested_by == organiser
    assert client.get(f"/admin/synthesis/themerun/{run.pk}/change/").status_code == 200
    client.post(
        "/admin/synthesis/themerun/",
        {"action": "approve_theme_runs", "_selected_action": [run.pk]},
        follow=True,
    )
    run.refresh_from_db()
    assert run.approved_by == organiser


def test_the_admin_action_on_an_empty_consultation_says_why(
    programme: None, organiser: Any
) -> None:
    empty = Consultation.objects.get(slug="regional-africa")
    response = organiser_client(organiser).post(
        "/admin/programme/consultation/",
        {"action": "compute_themes", "_selected_action": [empty.pk]},
        follow=True,
    )
    assert "The themes need at least 20 visible contributions" in response.content.decode()
    assert not ThemeRun.objects.exists()
