"""A bundle that is not what it claims is refused with one sentence per problem, naming the file
and the line, and nothing is written: a folder that is no bundle, a broken or foreign
descriptor, a missing or changed file, wrong columns, a wrong value, an inconsistent Pol.is
folder, or an instance that is not fresh."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.cli.main import cli
from cityforum.opendata.bundle import write_bundle
from cityforum.opendata.fingerprint import input_checksum
from cityforum.opendata.services import import_bundle
from cityforum.participation import services as participation
from cityforum.participation.models import Contribution
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.statements import services as statements

from .helpers import descriptor, rewrite
from .test_round_trip import fresh_instance


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


@pytest.fixture
def bundle(programme: None, opendata_dir: Path, tmp_path: Path) -> Path:
    """A small forum's bundle, and a fresh instance to import it into."""
    Consultation.objects.filter(slug="regional-africa").update(status="open")
    africa = Consultation.objects.get(slug="regional-africa")
    organiser = User.objects.create_user("o@example.org", "a-long-pass-phrase", role="organiser")
    person = User.objects.create_user("p@example.org", "a-long-pass-phrase")
    participation.contribute(
        africa,
        person,
        type="proposal",
        title="Shade",
        body="Trees in markets.",
        language="en",
        capitals=["environmental"],
    )
    for text in ("Markets need shade.", "Water is a common good."):
        statement = statements.add_statement(africa, text, by=organiser, language="en")
        statements.cast_vote(africa, statement.pk, 1, user=person)
    write_bundle(tmp_path / "bundle")
    fresh_instance()
    return tmp_path / "bundle"


def _replace_in(folder: Path, name: str, old: str, new: str) -> None:
    rewrite(folder, name, (folder / name).read_text(encoding="utf-8").replace(old, new, 1))


def _set_descriptor(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    package = descriptor(folder)
    change(package)
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


def _rename_column(folder: Path) -> None:
    """A bundle consistent with itself, but of other columns than this version's."""
    _replace_in(folder, "capitals.csv", "code,order", "key,order")
    (folder / "capitals.json").write_text(
        (folder / "capitals.json").read_text(encoding="utf-8").replace('{"code":', '{"key":'),
        encoding="utf-8",
    )
    rewrite(folder, "capitals.json", (folder / "capitals.json").read_text(encoding="utf-8"))

    def rename(package: dict[str, Any]) -> None:
        for resource in package["resources"]:
            if resource.get("cityforum:dataset") == "capitals":
                resource["schema"]["fields"][0]["name"] = "key"
                resource["schema"]["primaryKey"] = ["key"]
            for fk in resource.get("schema", {}).get("foreignKeys", []):
                if fk["reference"]["resource"] == "capitals":
                    fk["reference"]["fields"] = "key"
            for field in resource.get("schema", {}).get("fields", []):
                if field.get("cityforum:refers", {}).get("resource") == "capitals":
                    field["cityforum:refers"]["field"] = "key"

    _set_descriptor(folder, rename)


BAD_BUNDLES: list[tuple[str, Callable[[Path], Any], str]] = [
    (
        "no descriptor",
        lambda b: (b / "datapackage.json").unlink(),
        "datapackage.json is missing: this is not an open-data bundle.",
    ),
    (
        "a broken descriptor",
        lambda b: (b / "datapackage.json").write_text('{"resources": [\n}', encoding="utf-8"),
        "datapackage.json, line 2: the descriptor is not valid JSON.",
    ),
    (
        "another version",
        lambda b: _set_descriptor(b, lambda p: p.update({"cityforum:bundle_version": 99})),
        "This bundle is of version 99; this cityforum reads version 1 only",
    ),
    (
        "a changed file",
        lambda b: (b / "contributions.csv").write_text("id\n1\n", encoding="utf-8"),
        "contributions.csv: checksum mismatch: the file was changed or damaged since the export.",
    ),
    ("a missing file", lambda b: (b / "forums.json").unlink(), "forums.json is missing."),
    (
        "wrong columns",
        lambda b: _replace_in(
            b, "contributions.csv", "id,consultation,type", "id,type,consultation"
        ),
        "contributions.csv, line 1: wrong columns (missing: -; unknown: -); expected, in this "
        "order: id, consultation, type,",
    ),
    (
        "a value that is not JSON",
        lambda b: _replace_in(b, "contributions.csv", '"[""environmental""]"', "environmental"),
        "contributions.csv, line 2, capitals: “environmental” is not JSON.",
    ),
    (
        "a row with a field too many",
        lambda b: _replace_in(b, "contributions.csv", ",en,", ",en,extra,"),
        "contributions.csv, line 2: 17 fields where the header has 16.",
    ),
    (
        "a date that is no date",
        lambda b: _replace_in(b, "forums.csv", ",2021-", ",in spring 2021-"),
        "forums.csv, line 2, starts_on: “in spring 2021-",
    ),
    (
        "a reference to nothing",
        lambda b: _replace_in(b, "statements.csv", ",regional-africa,", ",regional-mars,"),
        "statements.csv, line 2, consultation: regional-mars is not in consultations.slug.",
    ),
    (
        "a path out of the bundle",
        lambda b: _set_descriptor(b, lambda p: p["resources"][0].update({"path": "../secret.csv"})),
        "../secret.csv: the path leaves the bundle.",
    ),
    (
        "columns of another version",
        _rename_column,
        "capitals.csv: the descriptor's columns are not those of this version",
    ),
    (
        "a Pol.is folder without its votes",
        lambda b: (
            [
                (b / "polis" / "regional-africa" / n).unlink()
                for n in ("votes.csv", "participants-votes.csv")
            ]
            and _set_descriptor(
                b,
                lambda p: p.update(
                    resources=[r for r in p["resources"] if "cityforum:polis" not in r]
                ),
            )
        ),
        "neither votes.csv nor participants-votes.csv found",
    ),
]


@pytest.mark.parametrize(
    ("what", "change", "message"), BAD_BUNDLES, ids=[b[0] for b in BAD_BUNDLES]
)
def test_a_bad_bundle_is_refused_with_its_reason_and_nothing_is_written(
    bundle: Path, what: str, change: Callable[[Path], Any], message: str
) -> None:
    change(bundle)
    before = input_checksum()
    with pytest.raises(ValidationError) as refused:
        import_bundle(bundle, operator=True)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert all("\n" not in m for m in refused.value.messages)
    assert input_checksum() == before and not Contribution.objects.exists()


def test_the_command_line_says_nothing_was_imported_and_why(
    bundle: Path, runner: CliRunner
) -> None:
    (bundle / "contributions.csv").write_text("id\n1\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "opendata", str(bundle)])
    assert result.exit_code == 1
    assert "Nothing was imported." in result.output
    assert "contributions.csv: checksum mismatch" in result.output
    assert not Contribution.objects.exists()


def test_a_folder_that_does_not_exist_or_a_damaged_zip_is_refused(
    programme: None, tmp_path: Path, runner: CliRunner
) -> None:
    result = runner.invoke(cli, ["import", "opendata", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "does not exist." in result.output
    damaged = tmp_path / "bundle.zip"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="is not a folder holding an open-data bundle"):
        import_bundle(damaged, operator=True)


def test_an_instance_that_is_not_fresh_is_refused(bundle: Path) -> None:
    import_bundle(bundle, operator=True)
    before = input_checksum()
    with pytest.raises(ValidationError, match="already holds 1 contributions: import into a fresh"):
        import_bundle(bundle, operator=True)
    assert input_checksum() == before and Contribution.objects.count() == 1


def test_the_zip_imports_like_the_folder(bundle: Path) -> None:
    archive = shutil.make_archive(
        str(bundle.with_name("exported")), "zip", bundle.parent, bundle.name
    )
    imported = import_bundle(Path(archive), operator=True)
    assert imported.rows["contributions"] == 1 and Contribution.objects.count() == 1


def test_only_organisers_import(bundle: Path) -> None:
    participant = User.objects.create_user("x@example.org", "a-long-pass-phrase")
    with pytest.raises(PermissionDenied):
        import_bundle(bundle, by=participant)
    organiser = User.objects.create_user("y@example.org", "a-long-pass-phrase", role="organiser")
    assert import_bundle(bundle, by=organiser).rows["statements"] == 2


def test_export_refuses_a_folder_holding_something_else(
    programme: None, tmp_path: Path, runner: CliRunner
) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(cli, ["export", "opendata", "--out", str(tmp_path / "notes")])
    assert result.exit_code == 1 and "holds no open-data bundle" in result.output
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["thesis.txt"]
