"""``cityforum import polis`` and ``cityforum import statements``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cityforum.cli.main import cli
from cityforum.statements.models import Statement, Vote

POLIS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


def test_import_polis_brings_statements_and_votes(runner: CliRunner, consultation) -> None:
    result = runner.invoke(
        cli, ["import", "polis", consultation.slug, str(POLIS / "vtaiwan.uberx")]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 197 statements" in result.output
    assert Vote.objects.exists()


def test_import_statements_is_all_or_nothing(runner: CliRunner, consultation, tmp_path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("text,language\nCities first.,en\nLes villes.,fr\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("text,language\nFine.,en\n,fr\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "statements", consultation.slug, str(bad)])
    assert (
        result.exit_code == 1
        and "line 3" in result.output
        and "Nothing was imported" in result.output
    )
    assert not Statement.objects.exists()
    result = runner.invoke(cli, ["import", "statements", consultation.slug, str(good)])
    assert result.exit_code == 0, result.output
    assert Statement.objects.filter(status="accepted").count() == 2


def test_an_unknown_consultation_is_named(runner: CliRunner, programme, tmp_path) -> None:
    result = runner.invoke(cli, ["import", "polis", "nowhere", str(tmp_path)])
    assert result.exit_code == 1 and "nowhere" in result.output
