"""The round trip: a bundle imported into a fresh instance exports the same data again.

"The same" is checked dataset by dataset (:func:`cityforum.opendata.compare.compare_bundles`):
identical values, except the ids the descriptor marks as renumbered (organisations,
contributions, statements, themes runs, opinion maps, sections, articles, amendments,
assessments), which a new instance numbers anew — every reference to them must still point at
the same row — and, in ``datapackage.json``, the date, the input checksum and the files'
sizes and checksums. Once in-process on a flushed database (SQLite and PostgreSQL), once
through the command line on a second SQLite database made by ``cityforum init --skip-cities``.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client

from cityforum.opendata.bundle import write_bundle
from cityforum.opendata.compare import compare_bundles
from cityforum.opendata.services import import_bundle
from cityforum.participation.models import Contribution
from cityforum.people.models import User
from cityforum.synthesis.models import ThemeRun

from .conftest import ZENOBIA_EMAIL
from .helpers import rewrite, rows


def fresh_instance() -> None:
    """An empty database, then what ``cityforum init --skip-cities`` loads."""
    from cityforum.assessments.seed import prepare_measurement
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.programme.seed import load_programme

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # PostgreSQL truncates no table with checks pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    load_programme()
    prepare_measurement(with_roles=False)
    load_code_of_conduct()


def test_a_bundle_imported_into_a_fresh_instance_exports_the_same_data(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    write_bundle(tmp_path / "first")
    fresh_instance()
    assert not Contribution.objects.exists() and not User.objects.exists()

    imported = import_bundle(tmp_path / "first", operator=True)
    assert imported.rows["contributions"] == len(rows(tmp_path / "first", "contributions"))
    write_bundle(tmp_path / "second")
    assert compare_bundles(tmp_path / "first", tmp_path / "second") == []
    # Nobody came back: the contributions belong to one nameless, inactive account, and the two
    # endorsements of the recommendation to two more (an account endorses once).
    assert not User.objects.filter(email=ZENOBIA_EMAIL).exists()
    accounts = list(User.objects.values_list("email", "is_active"))
    assert len(accounts) == 3 and not any(active for _email, active in accounts)
    assert all(email.endswith("@import.invalid") for email, _active in accounts)


def test_renumbered_ids_still_point_at_the_same_rows(forum: dict[str, Any], tmp_path: Path) -> None:
    """The comparison is not blind to ids: a reference moved to another row is a difference."""
    write_bundle(tmp_path / "first")
    write_bundle(tmp_path / "second")
    assert compare_bundles(tmp_path / "first", tmp_path / "second") == []
    sources = (tmp_path / "second" / "article_sources.csv").read_text(encoding="utf-8")
    mine, workshop = str(forum["mine"].pk), str(forum["workshop"].pk)
    lines = sources.splitlines()
    lines[1] = lines[1].replace(f",contribution,{mine},", f",contribution,{workshop},")
    rewrite(tmp_path / "second", "article_sources.csv", "\n".join(lines) + "\n")
    twin = (tmp_path / "second" / "article_sources.json").read_text(encoding="utf-8")
    twin = twin.replace(f'"contribution":{mine},', f'"contribution":{workshop},', 1)
    rewrite(tmp_path / "second", "article_sources.json", twin)
    assert compare_bundles(tmp_path / "first", tmp_path / "second") == [
        f"article_sources, row 1, contribution: {_position(tmp_path / 'first', forum['mine'].pk)}, "
        f"then {_position(tmp_path / 'first', forum['workshop'].pk)}"
    ]


def _position(folder: Path, contribution: int) -> int:
    return [int(r["id"]) for r in rows(folder, "contributions")].index(contribution)


def test_imported_results_are_what_the_pages_show(forum: dict[str, Any], tmp_path: Path) -> None:
    write_bundle(tmp_path / "first")
    fresh_instance()
    import_bundle(tmp_path / "first", operator=True)
    client = Client()
    contribution = Contribution.objects.get(title="Shaded markets for Thiès")
    page = client.get(f"/en/participate/contributions/{contribution.pk}/")
    assert page.status_code == 200
    assert "Former participant" in page.content.decode() and "Zenobia" not in page.content.decode()
    run = ThemeRun.objects.get()
    assert client.get(f"/en/synthesis/themes/{run.pk}/").status_code == 200
    assert "Water for everyone" in client.get("/en/synthesis/themes/").content.decode()
    assert client.get("/en/synthesis/regional-africa/opinion/").status_code == 200


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cityforum.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        CITYFORUM_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'second.sqlite3'}",
        LANG="en_GB.UTF-8",
    )
    env.pop("LANGUAGE", None)
    return env


def cityforum(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "cityforum.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_round_trip_on_a_second_database(
    forum: dict[str, Any], tmp_path: Path
) -> None:
    write_bundle(tmp_path / "first", make_zip=True)
    env = _env(tmp_path / "second-var")
    (tmp_path / "second-var").mkdir()
    init = cityforum(env, "init", "--skip-cities")
    assert init.returncode == 0, init.stderr

    bad = cityforum(env, "import", "opendata", str(tmp_path / "nowhere"))
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].endswith("does not exist.")

    done = cityforum(env, "import", "opendata", str(tmp_path / "first.zip"))
    assert done.returncode == 0, done.stderr
    assert "Imported 30 contributions, 7 statements" in done.stdout

    again = cityforum(env, "import", "opendata", str(tmp_path / "first"))
    assert again.returncode == 1
    assert "already holds 30 contributions" in again.stderr

    out = cityforum(env, "export", "opendata", "--out", str(tmp_path / "second"), "--zip")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "second.zip").is_file()
    assert compare_bundles(tmp_path / "first", tmp_path / "second") == []
