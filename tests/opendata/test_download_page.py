"""The download page ``/<lang>/opendata/`` and the API ``/api/v1/opendata``: public, in the
reader's language, listing each dataset with its description, size and files, the licence
and the attributions; the bundle is written on demand and kept until the data changes."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from cityforum.cli.main import cli
from cityforum.opendata.datasets import DATASETS
from cityforum.participation import services as participation
from cityforum.programme.models import Consultation

from .helpers import rows


def fetch(client: Client, url: str, **headers: Any) -> tuple[Any, bytes]:
    """The response and its whole body; reading a file to its end closes it (the test client
    closes the response then, as a WSGI server would)."""
    response = client.get(url, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def _bundle_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def test_the_page_lists_every_dataset_with_its_files_licence_and_attribution(
    forum: dict[str, Any], opendata_dir: Path
) -> None:
    response = Client().get("/en/opendata/")
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    for name, dataset in DATASETS.items():
        assert f'id="dataset-{name}"' in text
        assert str(dataset.description) in text
        assert (
            f'href="/en/opendata/{name}.csv"' in text and f'href="/en/opendata/{name}.json"' in text
        )
    assert 'href="/en/opendata/cityforum-opendata.zip"' in text
    assert "Creative Commons Attribution 4.0 International licence (CC-BY-4.0)" in text
    assert "GeoNames" in text and "CC BY 4.0" in text
    assert 'href="/en/opendata/DATA_DICTIONARY.md"' in text
    assert 'href="/en/opendata/polis/regional-africa/votes.csv"' in text
    assert "Zenobia" not in text


def test_the_page_speaks_the_readers_language(forum: dict[str, Any], opendata_dir: Path) -> None:
    text = html.unescape(Client().get("/fr/opendata/").content.decode())
    assert '<html lang="fr">' in text and 'href="/fr/opendata/contributions.csv"' in text


def test_every_page_links_to_the_open_data(programme: None, opendata_dir: Path) -> None:
    assert 'href="/en/opendata/"' in Client().get("/en/").content.decode()


def test_files_are_served_as_the_bundle_holds_them(
    forum: dict[str, Any], opendata_dir: Path
) -> None:
    client = Client()
    client.get("/en/opendata/")
    folder = _bundle_folders(opendata_dir)[0] / "cityforum-opendata"
    response, body = fetch(client, "/en/opendata/contributions.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body == (folder / "contributions.csv").read_bytes()
    zipped, _body = fetch(client, "/en/opendata/cityforum-opendata.zip")
    assert zipped["Content-Type"] == "application/zip"
    assert 'attachment; filename="cityforum-opendata.zip"' in zipped["Content-Disposition"]
    for name in ("secret_key", "../secret_key", "cityforum.sqlite3", "nothing.csv"):
        assert fetch(client, f"/en/opendata/{name}")[0].status_code == 404


def test_the_bundle_is_kept_until_the_data_changes(
    forum: dict[str, Any], opendata_dir: Path
) -> None:
    client = Client()
    client.get("/en/opendata/")
    first = _bundle_folders(opendata_dir)
    stamp = (first[0] / "cityforum-opendata" / "datapackage.json").stat().st_mtime_ns
    client.get("/en/opendata/")
    assert _bundle_folders(opendata_dir) == first
    assert (first[0] / "cityforum-opendata" / "datapackage.json").stat().st_mtime_ns == stamp

    participation.contribute(
        Consultation.objects.get(slug="regional-africa"),
        forum["other"],
        type="proposal",
        title="Night markets",
        body="Markets could open at night.",
        language="en",
        capitals=["economic"],
    )
    text = html.unescape(client.get("/en/opendata/").content.decode())
    second = _bundle_folders(opendata_dir)
    assert len(second) == 1 and second != first  # rewritten, and the old copy removed
    assert "Night markets" in (second[0] / "cityforum-opendata" / "contributions.csv").read_text()
    assert 'id="dataset-contributions"' in text


def test_the_command_line_rewrites_the_sites_copy(
    forum: dict[str, Any], opendata_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    result = CliRunner().invoke(cli, ["export", "opendata"])
    assert result.exit_code == 0, result.output
    assert "Wrote 30 datasets" in result.output
    folder = _bundle_folders(opendata_dir)[0]
    assert (folder / "cityforum-opendata.zip").is_file()
    assert fetch(Client(), "/en/opendata/forums.csv")[0].status_code == 200


def test_the_api_lists_the_datasets_with_their_urls(
    forum: dict[str, Any], opendata_dir: Path
) -> None:
    client = Client()
    answer = client.get("/api/v1/opendata", HTTP_ACCEPT_LANGUAGE="es")
    assert answer.status_code == 200
    body = answer.json()
    assert [d["name"] for d in body["datasets"]] == list(DATASETS)
    assert body["licences"][0]["licence"] == "CC-BY-4.0"
    assert body["zip"] == "http://testserver/es/opendata/cityforum-opendata.zip"
    assert "GeoNames" in body["attribution"]
    contributions = next(d for d in body["datasets"] if d["name"] == "contributions")
    assert contributions["rows"] == 30 and contributions["fields"] == 16
    assert (
        contributions["files"]["csv"]["url"]
        == "http://testserver/api/v1/opendata/contributions.csv"
    )
    for dataset in body["datasets"]:
        for file in dataset["files"].values():
            response, content = fetch(client, file["url"].removeprefix("http://testserver"))
            assert response.status_code == 200, file["url"]
            assert len(content) == file["bytes"]
    assert body["polis"][0]["consultation"] == "regional-africa"
    csv_answer, _body = fetch(client, "/api/v1/opendata/statements.csv")
    assert csv_answer["Access-Control-Allow-Origin"] == "*"


def test_the_api_answers_bad_requests_with_problems(
    forum: dict[str, Any], opendata_dir: Path
) -> None:
    client = Client()
    unknown = client.get("/api/v1/opendata/users.csv")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert "users" in unknown.json()["detail"]
    wrong_format = client.get("/api/v1/opendata/contributions.xlsx")
    assert wrong_format.status_code == 422
    assert wrong_format["Content-Type"] == "application/problem+json"


def test_the_json_file_of_the_api_is_the_datasets(
    forum: dict[str, Any], opendata_dir: Path
) -> None:
    import json

    client = Client()
    items = json.loads(fetch(client, "/api/v1/opendata/contributions.json")[1])
    client.get("/en/opendata/")
    folder = _bundle_folders(opendata_dir)[0] / "cityforum-opendata"
    assert [i["id"] for i in items] == [int(r["id"]) for r in rows(folder, "contributions")]
