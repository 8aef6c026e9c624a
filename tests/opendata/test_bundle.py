"""The bundle: every dataset as CSV and JSON, described by ``datapackage.json`` (the data
dictionary, also ``DATA_DICTIONARY.md``), with the forum's licence and the attributions, the
same bytes for the same data, and a validator that catches a bundle that does not hold what
its descriptor says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cityforum.opendata.bundle import BundleError, write_bundle
from cityforum.opendata.datasets import DATASETS
from cityforum.opendata.schema import TYPES
from cityforum.opendata.validate import validate_bundle
from cityforum.programme.models import Forum

from .helpers import descriptor, every_file, items, rewrite, rows, zip_members


@pytest.fixture
def bundle(forum: dict[str, Any], tmp_path: Path) -> Path:
    write_bundle(tmp_path / "bundle", make_zip=True)
    return tmp_path / "bundle"


def test_every_dataset_is_in_csv_and_json_and_valid_against_the_descriptor(bundle: Path) -> None:
    package = descriptor(bundle)
    names = {r["name"] for r in package["resources"]}
    for name, dataset in DATASETS.items():
        assert {name, f"{name}-json"} <= names
        assert rows(bundle, name), f"{name} is empty: the seeded forum should fill it"
        assert list(rows(bundle, name)[0]) == dataset.names  # stable column order
        assert [list(item) for item in items(bundle, name)] == [dataset.names] * len(
            rows(bundle, name)
        )
    report = validate_bundle(bundle)
    assert report.problems == []
    assert set(report.tables) == set(DATASETS)
    assert report.rows["votes"] == len(rows(bundle, "votes")) > 100


def test_the_descriptor_is_a_tabular_data_package_with_types_and_descriptions(bundle: Path) -> None:
    package = descriptor(bundle)
    assert package["profile"] == "tabular-data-package"
    assert package["cityforum:bundle_version"] == 1
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    resources = {r["name"]: r for r in package["resources"]}
    for resource in package["resources"]:
        assert (bundle / resource["path"]).is_file()
        assert resource["encoding"] == "utf-8" and resource["hash"].startswith("sha256:")
        if "cityforum:dataset" not in resource:
            continue
        schema = resource["schema"]
        names = [f["name"] for f in schema["fields"]]
        assert resource["title"] and resource["description"]
        for field in schema["fields"]:
            assert field["type"] in TYPES and field["description"]
        assert set(schema["primaryKey"]) <= set(names)
        for fk in schema.get("foreignKeys", []):
            target = resources[fk["reference"]["resource"]]
            assert fk["reference"]["fields"] in [f["name"] for f in target["schema"]["fields"]]
    contributions = resources["contributions"]["schema"]
    created = next(f for f in contributions["fields"] if f["name"] == "created_at")
    assert created["type"] == "datetime" and created["constraints"] == {"required": True}


def test_values_are_utf8_iso_dates_and_json_in_csv(bundle: Path) -> None:
    contribution = next(
        r for r in rows(bundle, "contributions") if r["title"] == "Shaded markets for Thiès"
    )
    assert contribution["created_at"].endswith("Z") and "T" in contribution["created_at"]
    assert json.loads(contribution["capitals"]) == ["economic", "environmental"]
    workshop = next(r for r in rows(bundle, "contributions") if r["source"] == "workshop")
    assert workshop["meeting_date"] == "2021-03-02"
    item = next(i for i in items(bundle, "contributions") if i["id"] == int(contribution["id"]))
    assert item["capitals"] == ["economic", "environmental"] and item["city"] == 2244322
    consultation = next(r for r in rows(bundle, "consultations") if r["slug"] == "regional-africa")
    assert consultation["region"] == "africa" and consultation["status"] == "open"
    assert consultation["title_fr"] and consultation["vision_en"] is not None


def test_the_same_data_gives_the_same_bytes(forum: dict[str, Any], tmp_path: Path) -> None:
    write_bundle(tmp_path / "one")
    write_bundle(tmp_path / "two")
    one, two = every_file(tmp_path / "one"), every_file(tmp_path / "two")
    assert one.keys() == two.keys()
    differing = [name for name in one if one[name] != two[name]]
    assert differing in ([], ["datapackage.json"])  # only its "created" date may differ
    first, second = descriptor(tmp_path / "one"), descriptor(tmp_path / "two")
    first.pop("created"), second.pop("created")
    assert first == second


def test_the_zip_holds_the_folder(bundle: Path) -> None:
    members = zip_members(bundle.with_name("bundle.zip"))
    assert {name.removeprefix("bundle/"): data for name, data in members.items()} == every_file(
        bundle
    )


def test_the_licence_is_the_forums_and_the_city_registry_is_attributed(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    Forum.objects.update(
        licence="CC0-1.0",
        licence_name="Creative Commons Zero 1.0",
        licence_url="https://creativecommons.org/publicdomain/zero/1.0/",
    )
    write_bundle(tmp_path / "b")
    licence = (tmp_path / "b" / "LICENSE.md").read_text(encoding="utf-8")
    assert "Creative Commons Zero 1.0 (`CC0-1.0`)" in licence
    assert descriptor(tmp_path / "b")["licenses"][0]["name"] == "CC0-1.0"
    assert rows(tmp_path / "b", "forums")[0]["licence"] == "CC0-1.0"
    attribution = (tmp_path / "b" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "GeoNames" in attribution and "CC-BY-4.0" in attribution
    assert "https://www.geonames.org/" in attribution


def test_a_new_forum_licences_its_data_under_cc_by_4_by_default(programme: None) -> None:
    forum = Forum.objects.get()
    assert (forum.licence, forum.licence_url) == (
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )


def test_the_data_dictionary_describes_every_field(bundle: Path) -> None:
    text = (bundle / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    for name, dataset in DATASETS.items():
        assert f"## {name}: " in text
        for field in dataset.fields:
            assert f"| `{field.name}` | {field.type} |" in text
    assert "contributions.id" in text and "polis/" in text


def test_a_folder_holding_something_else_is_not_overwritten(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "thesis.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BundleError, match="holds no open-data bundle"):
        write_bundle(target)
    assert [p.name for p in target.iterdir()] == ["thesis.txt"]


def test_rewriting_a_bundle_replaces_it(bundle: Path) -> None:
    (bundle / "stale.csv").write_text("old", encoding="utf-8")
    write_bundle(bundle)
    assert not (bundle / "stale.csv").exists()
    assert validate_bundle(bundle).ok


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda b: (b / "contributions.json").write_text("[]\n", encoding="utf-8"),
            "contributions.json: checksum mismatch",
        ),
        (lambda b: (b / "themes.csv").unlink(), "themes.csv is missing"),
        (
            lambda b: rewrite(
                b,
                "regions.csv",
                (b / "regions.csv").read_text().replace("code,kind", "kind,code", 1),
            ),
            "regions.csv, line 1: wrong columns",
        ),
        (
            lambda b: rewrite(
                b, "statements.csv", _replace_cell(b, "statements", 1, "agrees", "many")
            ),
            "statements.csv, line 2, agrees: “many” is not a whole number",
        ),
        (
            lambda b: rewrite(
                b, "contributions.csv", _replace_cell(b, "contributions", 1, "created_at", "")
            ),
            "contributions.csv, line 2, created_at: a value is required",
        ),
        (
            lambda b: rewrite(b, "votes.csv", _replace_cell(b, "votes", 1, "statement", "999999")),
            "votes.csv, line 2, statement: 999999 is not in statements.id",
        ),
        (
            lambda b: rewrite(
                b,
                "regions.json",
                (b / "regions.json").read_text().replace('"order":0', '"order":7', 1),
            ),
            "regions.json, line 2, order: not the value of the CSV file",
        ),
    ],
)
def test_the_validator_says_what_does_not_match_the_descriptor(
    bundle: Path, change: Any, expected: str
) -> None:
    change(bundle)
    problems = validate_bundle(bundle).problems
    assert any(expected in p for p in problems), problems


def _replace_cell(folder: Path, dataset: str, row: int, column: str, value: str) -> str:
    import csv
    import io

    lines = list(
        csv.reader(io.StringIO((folder / f"{dataset}.csv").read_text(encoding="utf-8"), newline=""))
    )
    lines[row][lines[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(lines)
    return out.getvalue()
