"""``cityforum import contributions``: all rows or none, every bad row named by its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cityforum.cli.main import cli
from cityforum.participation.models import Contribution

HEADER = "author_email,type,title,body,capitals,language\n"
ROW = (
    'author@example.org,proposal,Bus lanes,"Dedicated bus lanes, on every avenue.",'
    "human;social,en\n"
)


def run(tmp_path: Path, content: bytes | str, slug: str = "regional-africa"):
    path = tmp_path / "contributions.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return CliRunner().invoke(cli, ["import", "contributions", slug, str(path)])


@pytest.fixture
def ready(regional, author) -> None:
    """An open consultation and the author of the rows."""


def test_a_good_file_is_imported(tmp_path, ready) -> None:
    result = run(tmp_path, HEADER + ROW + ROW.replace("Bus lanes", "Cycle lanes"))
    assert result.exit_code == 0, result.output
    assert "Imported 2 contributions" in result.output
    assert Contribution.objects.count() == 2


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(tmp_path, ready) -> None:
    bad = (
        HEADER
        + ROW
        + "nobody@example.org,proposal,T,Body text here,human,en\n"
        + 'author@example.org,rant," ",Body,happiness,xx\n'
    )
    result = run(tmp_path, bad)
    assert result.exit_code == 1
    assert "Line 3" in result.output and "Line 4" in result.output and "Line 2" not in result.output
    assert "Nothing was imported" in result.output
    assert not Contribution.objects.exists()


def test_wrong_columns(tmp_path, ready) -> None:
    result = run(tmp_path, "email,kind,title\nx,y,z\n")
    assert result.exit_code == 1 and "Wrong columns" in result.output
    assert not Contribution.objects.exists()


def test_wrong_encoding(tmp_path, ready) -> None:
    result = run(tmp_path, (HEADER + ROW.replace("Bus lanes", "Voies réservées")).encode("latin-1"))
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert not Contribution.objects.exists()


def test_a_broken_quote(tmp_path, ready) -> None:
    result = run(tmp_path, HEADER + ROW + 'author@example.org,proposal,"Unclosed,body,human,en\n')
    assert result.exit_code == 1 and "Line 3" in result.output and "quotes" in result.output
    assert not Contribution.objects.exists()


def test_a_closed_or_unknown_consultation(tmp_path, ready, regional) -> None:
    assert "No consultation" in run(tmp_path, HEADER + ROW, slug="nowhere").output
    from .conftest import set_status

    set_status(regional, "closed")
    result = run(tmp_path, HEADER + ROW)
    assert result.exit_code == 1 and "only while it is open" in result.output
    assert not Contribution.objects.exists()
