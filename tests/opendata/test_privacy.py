"""No personal data in any export: a participant's name, e-mail address (or its local part),
account number or session never appear in any byte of the bundle, the zip included; what the
site does not show — hidden contributions, pending or rejected statements, hidden amendments,
unapproved syntheses, unverified organisations' names — is not published either."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cityforum.opendata.bundle import write_bundle
from cityforum.people.models import User
from cityforum.statements.models import Voter

from .conftest import (
    ANONYMOUS_SESSION,
    HIDDEN_AMENDMENT,
    HIDDEN_TITLE,
    PENDING_STATEMENT,
    REJECTED_STATEMENT,
    UNVERIFIED_ORGANISATION,
    ZENOBIA_EMAIL,
    ZENOBIA_NAME,
)
from .helpers import every_file, items, rows, zip_members


@pytest.fixture
def bundle(forum: dict[str, Any], tmp_path: Path) -> dict[str, bytes]:
    """Every file of the bundle and every file of its zip, decompressed, by name."""
    write_bundle(tmp_path / "bundle", make_zip=True)
    files = every_file(tmp_path / "bundle")
    files.update({f"zip:{k}": v for k, v in zip_members(tmp_path / "bundle.zip").items()})
    assert len(files) > 2 * 30 * 2
    return files


def _containing(files: dict[str, bytes], needle: str) -> list[str]:
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    return [name for name, data in files.items() if pattern.search(data.decode("utf-8"))]


def test_zenobias_name_and_address_are_in_no_byte_of_any_file(
    forum: dict[str, Any], bundle: dict[str, bytes]
) -> None:
    # Zenobia signed up for a verified organisation, contributed, commented, voted and
    # proposed an amendment the organisers accepted: all of it is published, she is not.
    local_part = ZENOBIA_EMAIL.split("@")[0]
    for needle in (ZENOBIA_NAME, ZENOBIA_EMAIL, local_part, "Zenobia", "Quillfeather", "Treasurer"):
        assert _containing(bundle, needle) == [], needle
    assert _containing(bundle, "Shaded markets for Thiès")  # her contribution is there
    assert _containing(bundle, "Cities keep markets shaded")  # and her amendment's text


def test_nobody_elses_name_address_or_session_is_either(
    forum: dict[str, Any], bundle: dict[str, bytes]
) -> None:
    # (Their local parts are common words, "organiser", "mayor"…: Zenobia's is distinctive.)
    for user in User.objects.all():
        for needle in {user.email, user.display_name} - {""}:
            assert _containing(bundle, needle) == [], needle
    assert _containing(bundle, ANONYMOUS_SESSION) == []


def test_voters_are_their_random_numbers_never_account_numbers(
    forum: dict[str, Any], tmp_path: Path, bundle: dict[str, bytes]
) -> None:
    folder = tmp_path / "bundle"
    published = {int(r["voter"]) for r in rows(folder, "votes")}
    assert published == set(Voter.objects.values_list("public_id", flat=True))
    zenobia_voter = Voter.objects.get(user=forum["zenobia"]).public_id
    assert zenobia_voter in published and forum["zenobia"].pk not in published
    assert not published & set(User.objects.values_list("pk", flat=True))
    polis = folder / "polis" / "regional-africa"
    polis_voters = {
        int(line.split(",")[3]) for line in (polis / "votes.csv").read_text().splitlines()[1:]
    }
    assert polis_voters == published
    comments = (polis / "comments.csv").read_text().splitlines()
    assert comments[0].split(",")[3] == "author-id"
    assert all(line.split(",")[3] == "" for line in comments[1:])  # authorship is not published
    participants = (polis / "participants-votes.csv").read_text().splitlines()
    assert all(line.split(",")[2] == "0" for line in participants[1:])  # n-comments


def test_what_the_site_hides_is_not_published(
    forum: dict[str, Any], tmp_path: Path, bundle: dict[str, bytes]
) -> None:
    for needle in (HIDDEN_TITLE, REJECTED_STATEMENT, PENDING_STATEMENT, HIDDEN_AMENDMENT):
        assert _containing(bundle, needle) == [], needle
    folder = tmp_path / "bundle"
    contributions = {int(r["id"]) for r in rows(folder, "contributions")}
    assert forum["hidden"].pk not in contributions and forum["mine"].pk in contributions
    statement_ids = {int(r["id"]) for r in rows(folder, "statements")}
    assert forum["rejected"].pk not in statement_ids and len(statement_ids) == 7
    amendment_ids = {int(r["id"]) for r in rows(folder, "amendments")}
    assert forum["spam_amendment"].pk not in amendment_ids and len(amendment_ids) == 1


def test_only_approved_syntheses_as_reviewed_are_published(
    forum: dict[str, Any], tmp_path: Path, bundle: dict[str, bytes]
) -> None:
    folder = tmp_path / "bundle"
    runs = {int(r["id"]) for r in rows(folder, "theme_runs")}
    assert runs == {forum["approved"].pk} and forum["unapproved"].pk not in runs
    themes = items(folder, "themes")
    published = forum["approved"].published()
    kept = [t["id"] for t in published["themes"] if t.get("status", "kept") == "kept"]
    assert [t["theme"] for t in themes] == kept and 3 not in kept  # the rejected theme is out
    renamed = next(t for t in themes if t["theme"] == 0)
    assert renamed["label_en"] == "Water for everyone" and renamed["review"]["renamed"]
    hidden = forum["hidden"].pk
    for row in themes + items(folder, "theme_trends") + items(folder, "theme_specificities"):
        assert hidden not in row["contributions"]
    assert {int(r["run"]) for r in rows(folder, "opinion_groups")} == {forum["opinion"].pk}


def test_a_contribution_names_its_organisation_only_once_verified(
    forum: dict[str, Any], tmp_path: Path, bundle: dict[str, bytes]
) -> None:
    folder = tmp_path / "bundle"
    organisations = {int(r["id"]): r["name"] for r in rows(folder, "organisations")}
    assert organisations == {
        forum["market"].pk: "Coopérative des marchés de Thiès",
        forum["town_hall"].pk: "Ville de Saint-Louis",
    }
    by_title = {r["title"]: r for r in rows(folder, "contributions")}
    assert by_title["Shaded markets for Thiès"]["organisation"] == str(forum["market"].pk)
    assert by_title["Flooding of the lower town"]["organisation"] == ""  # unverified: left out
    assert _containing(bundle, UNVERIFIED_ORGANISATION) == []
    assert by_title["A council of neighbourhoods"]["on_behalf_of"] == str(forum["town_hall"].pk)
    for row in items(folder, "contributions"):
        assert not {"author", "author_id", "email", "user"} & set(row)


def test_no_column_anywhere_is_about_a_person(
    forum: dict[str, Any], tmp_path: Path, bundle: dict[str, bytes]
) -> None:
    package = json.loads(bundle["datapackage.json"])
    personal = re.compile(r"author|e-?mail|user|display_name|signed_by|created_by|password|session")
    for resource in package["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            if field["name"] == "author-id":  # Pol.is's column, always empty here
                continue
            assert not personal.search(field["name"]), (resource["name"], field["name"])
