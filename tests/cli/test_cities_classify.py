"""``cityforum cities classify``: the city-role CSV, without Django, written whole or not at all."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cityforum.cli.cities import COLUMNS, write_atomically
from cityforum.cli.main import cli

REQUIRED = (
    "geonameid",
    "name",
    "country",
    "population",
    "section",
    "role",
    "subtype",
    "intermediation_score",
    "d_larger_km",
    "d_metropolis_km",
    "hinterland_n",
    "confidence",
    "population_band",
)
SECTIONS = {"africa", "mewa", "eurasia", "europe", "aspac", "latam", "noram"}
ROLES = {"metropolis", "satellite", "intermediary", "small_town"}


def _classify(out: Path, min_population: str) -> tuple[str, list[dict[str, str]]]:
    result = CliRunner().invoke(
        cli, ["cities", "classify", "--min-population", min_population, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        return result.stderr, list(csv.DictReader(handle))


def _row(rows: list[dict[str, str]], name: str, country: str) -> dict[str, str]:
    hits = [r for r in rows if r["name"] == name and r["country"] == country]
    assert hits, f"{name} ({country}) missing"
    return max(hits, key=lambda r: int(r["population"]))


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("classify") / "roles.csv"
    summary, rows = _classify(out, "15000")
    return out, summary, rows


def test_the_csv_has_every_required_column_and_a_row_per_place(
    classified: tuple[Path, str, list[dict[str, str]]],
) -> None:
    out, _, rows = classified
    with out.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == list(COLUMNS)
    assert header[: len(REQUIRED) - 1] == list(REQUIRED[:-1])  # the order first
    assert set(REQUIRED) <= set(header)
    assert len(rows) > 25_000
    assert len({r["geonameid"] for r in rows}) == len(rows)
    assert all(int(r["population"]) >= 15_000 for r in rows)
    # nothing but the CSV is left in the folder (the temporary file was renamed)
    assert [p.name for p in out.parent.iterdir()] == ["roles.csv"]


def test_paris_lagos_and_sao_paulo_are_metropolises(
    classified: tuple[Path, str, list[dict[str, str]]],
) -> None:
    _, _, rows = classified
    for name, country in (("Paris", "FR"), ("Lagos", "NG"), ("São Paulo", "BR")):
        row = _row(rows, name, country)
        assert row["role"] == "metropolis", row
        assert row["population_band"] == "metropolis"
    assert _row(rows, "Paris", "FR")["section"] == "europe"
    assert _row(rows, "Lagos", "NG")["section"] == "africa"
    assert _row(rows, "São Paulo", "BR")["section"] == "latam"


def test_every_row_has_a_section_a_role_and_readable_measures(
    classified: tuple[Path, str, list[dict[str, str]]],
) -> None:
    _, _, rows = classified
    assert {r["section"] for r in rows} == SECTIONS
    assert {r["role"] for r in rows} == ROLES
    assert {r["population_band"] for r in rows} == {"below", "intermediary", "metropolis"}
    assert {r["confidence"] for r in rows} <= {"high", "medium", "low", "unknown"}
    for r in rows:
        assert 0.0 <= float(r["intermediation_score"]) <= 100.0
        assert float(r["d_larger_km"]) >= 0.0  # "inf" for the largest place of a country
        assert int(r["hinterland_n"]) >= 0
        assert (r["subtype"] != "") == (r["role"] == "intermediary")


def test_the_summary_compares_intermediary_by_role_and_by_population(
    classified: tuple[Path, str, list[dict[str, str]]],
) -> None:
    _, summary, rows = classified
    by_role = sum(r["role"] == "intermediary" for r in rows)
    by_band = sum(r["population_band"] == "intermediary" for r in rows)
    assert f"{len(rows):,} places" in summary
    assert f"Intermediary by role: {by_role:,}" in summary
    assert f"by population band (50k-1M): {by_band:,}" in summary
    assert "Done in" in summary


def test_chefchaouen_is_intermediary_by_role_in_the_whole_registry(tmp_path: Path) -> None:
    _, rows = _classify(tmp_path / "world.csv", "1000")
    assert len(rows) > 140_000
    chefchaouen = _row(rows, "Chefchaouen", "MA")
    assert chefchaouen["role"] == "intermediary"
    assert chefchaouen["population_band"] == "below"  # under 50,000 people
    assert chefchaouen["section"] == "africa"


def test_classify_never_imports_django(tmp_path: Path) -> None:
    out = tmp_path / "roles.csv"
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cityforum.cli.main import cli\n"
        "r = CliRunner().invoke(cli, ['cities', 'classify', '--min-population', '15000', "
        f"'--out', {str(out)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not loaded, loaded\n"
        "assert 'cityforum.settings' not in sys.modules\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10", "--min-population must be at least 500"),
        ("499", "--min-population must be at least 500"),
        ("many", "--min-population must be a whole number of people, not 'many'"),
    ],
)
def test_a_bad_min_population_is_refused_and_nothing_is_written(
    tmp_path: Path, value: str, message: str
) -> None:
    out = tmp_path / "roles.csv"
    result = CliRunner().invoke(
        cli, ["cities", "classify", "--min-population", value, "--out", str(out)]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_folder_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "roles.csv"
    result = CliRunner().invoke(cli, ["cities", "classify", "--out", str(out)])
    assert result.exit_code == 1
    assert f"the folder of --out does not exist: {out.parent}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_directory_as_output_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["cities", "classify", "--out", str(folder)])
    assert result.exit_code == 1
    assert f"--out {folder} is a directory" in result.output
    assert list(tmp_path.iterdir()) == [folder]
    assert list(folder.iterdir()) == []


def test_a_failure_while_writing_leaves_the_previous_file_and_no_partial_one(
    tmp_path: Path,
) -> None:
    out = tmp_path / "roles.csv"
    out.write_text("previous,complete\n", encoding="utf-8")

    def rows() -> Iterator[tuple[str, str]]:
        yield ("1", "a")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(out, ("x", "y"), rows())
    assert out.read_text(encoding="utf-8") == "previous,complete\n"
    assert list(tmp_path.iterdir()) == [out]

    write_atomically(out, ("x", "y"), [("1", "a")])
    assert out.read_bytes() == b"x,y\r\n1,a\r\n"
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert list(tmp_path.iterdir()) == [out]
