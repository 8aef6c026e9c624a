"""``cityforum report forum|consultation ID --language --format --out``: the files the site
serves, written whole or not at all; bad input stops with one line and status 2, nothing
written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cityforum.cli.main import cli
from cityforum.programme.models import Consultation


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


def test_the_forum_report_in_markdown(runner: CliRunner, programme: None, tmp_path: Path) -> None:
    out = tmp_path / "forum.md"
    result = runner.invoke(
        cli, ["report", "forum", "--language", "es", "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# 2º Foro Mundial de Ciudades Intermedias")
    assert [p.name for p in tmp_path.iterdir()] == ["forum.md"]  # no temporary file left


def test_the_forum_report_in_french_as_pdf(
    runner: CliRunner, programme: None, tmp_path: Path
) -> None:
    out = tmp_path / "forum.pdf"
    out.write_bytes(b"an older file")
    result = runner.invoke(
        cli, ["report", "forum", "--language", "fr", "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_a_consultation_by_number_to_the_standard_output(
    runner: CliRunner, programme: None
) -> None:
    consultation = Consultation.objects.get(slug="regional-latam")
    result = runner.invoke(
        cli, ["report", "consultation", str(consultation.pk), "--format", "md", "--out", "-"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Consultation régionale : Amérique latine\n")


def test_without_out_the_file_is_named_after_the_report(
    runner: CliRunner, programme: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        cli, ["report", "consultation", "inequalities", "--language", "en", "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "wfic-2021-inequalities-report-en.html"
    assert "<h1>Intermediary cities &amp; inequalities</h1>" in written.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["consultation", "atlantis"], "No consultation is called “atlantis”."),
        (["consultation", "999999"], "No consultation is called “999999”."),
        (["forum", "--language", "de"], "Unknown language “de”; choose one of: fr, en, es."),
        (["forum", "--format", "docx"], "Unknown report format “docx”"),
        (["forum", "--out", "{tmp}/missing/forum.pdf"], "does not exist"),
        (["forum", "--out", "{tmp}"], "is a folder"),
    ],
)
def test_bad_input_is_one_line_status_2_and_nothing_written(
    runner: CliRunner, programme: None, tmp_path: Path, arguments: list[str], message: str
) -> None:
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    if "--out" not in arguments:
        arguments += ["--out", str(tmp_path / "report.pdf")]
    result = runner.invoke(cli, ["report", *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_place_is_refused_in_one_line(runner: CliRunner, programme: None) -> None:
    """/proc takes no new file, whoever asks (root included): the write fails, and says so."""
    assert Path("/proc/self").exists()  # Linux, as the Makefile requires
    result = runner.invoke(cli, ["report", "forum", "--format", "md", "--out", "/proc/forum.md"])
    assert result.exit_code == 2, result.output
    assert "/proc/forum.md cannot be written" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not Path("/proc/forum.md").exists()
