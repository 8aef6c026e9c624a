"""The ``cityforum`` command, run as a person would run it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cityforum.cities.models import City
from cityforum.cli.main import cli
from cityforum.people.models import ApiToken, User, hash_token
from cityforum.programme.models import Consultation


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SECRET_KEY", "tests-only-not-a-secret")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    return CliRunner()


@pytest.mark.django_db(transaction=True)
def test_init_twice_loads_once_and_then_changes_nothing(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["init", "--min-population", "1000000"])
    assert first.exit_code == 0, first.output
    assert "consultations 10" in first.output
    cities = City.objects.count()
    assert cities > 300
    second = runner.invoke(cli, ["init", "--min-population", "1000000"])
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    assert "City registry: already loaded." in second.output
    assert City.objects.count() == cities
    assert Consultation.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_init_with_a_malformed_programme_says_what_is_wrong_and_writes_nothing(
    runner: CliRunner, tmp_path
) -> None:
    bad = tmp_path / "programme.toml"
    bad.write_text("format = 1\n[forum]\nslug = 'x'\n", encoding="utf-8")
    result = runner.invoke(cli, ["init", "--programme", str(bad), "--skip-cities"])
    assert result.exit_code == 1
    assert "cannot be loaded" in result.output and "forum.host" in result.output
    assert not Consultation.objects.exists()


def test_users_create_and_token(runner: CliRunner, programme: None) -> None:
    result = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--email",
            "Mod@Example.org",
            "--password",
            "long-enough-pass",
            "--role",
            "moderator",
            "--region",
            "africa",
            "--region",
            "latam",
        ],
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(email="mod@example.org")
    assert user.role == "moderator" and not user.is_staff
    assert sorted(r.code for r in user.moderated_regions.all()) == ["africa", "latam"]
    token = runner.invoke(cli, ["users", "token", "--email", "mod@example.org"])
    assert token.exit_code == 0
    last_line = token.output.strip().splitlines()[-1]
    assert last_line.startswith("cf_")
    assert ApiToken.objects.get(user=user).key_hash == hash_token(last_line)


def test_an_organiser_may_enter_the_back_office(runner: CliRunner, programme: None) -> None:
    result = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--email",
            "org@example.org",
            "--password",
            "long-enough-pass",
            "--role",
            "organiser",
        ],
    )
    assert result.exit_code == 0
    assert User.objects.get(email="org@example.org").is_staff


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--email", "not-an-email", "--password", "long-enough-pass"], "not a valid e-mail"),
        (["--email", "a@example.org", "--password", "short"], "too short"),
        (
            [
                "--email",
                "a@example.org",
                "--password",
                "long-enough-pass",
                "--role",
                "moderator",
                "--region",
                "atlantis",
            ],
            "Unknown region code(s): atlantis",
        ),
        (
            ["--email", "a@example.org", "--password", "long-enough-pass", "--region", "africa"],
            "Only moderators",
        ),
        (["--email", "a@example.org", "--password", "long-enough-pass", "--role", "king"], "king"),
    ],
)
def test_users_create_refuses_bad_input_and_writes_nothing(
    runner: CliRunner, programme: None, arguments: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["users", "create", *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert not User.objects.exists()


def test_a_second_user_with_the_same_email_is_refused(runner: CliRunner, programme: None) -> None:
    args = ["users", "create", "--email", "a@example.org", "--password", "long-enough-pass"]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 1 and "already exists" in again.output
    assert User.objects.count() == 1


def test_a_token_for_nobody_is_refused(runner: CliRunner, db: None) -> None:
    result = runner.invoke(cli, ["users", "token", "--email", "ghost@example.org"])
    assert result.exit_code == 1 and "No user has the e-mail ghost@example.org" in result.output
    assert not ApiToken.objects.exists()


def test_messages_follow_the_terminal_language(runner: CliRunner, db: None, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "es_ES.UTF-8")
    result = runner.invoke(cli, ["users", "token", "--email", "ghost@example.org"])
    assert "ghost@example.org" in result.output and "No user has" not in result.output


def test_the_command_answers_help_without_starting_django() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from cityforum.cli.main import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output; "
        "assert 'init' in r.output and 'serve' in r.output and 'users' in r.output; "
        "assert 'django.db' not in sys.modules, 'Django was started'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_serve_refuses_an_unmigrated_database(runner: CliRunner, tmp_path, monkeypatch) -> None:
    """Run in a fresh process: the database named by DATABASE_URL has no tables yet."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}", SECRET_KEY="x" * 50, LANG="en"
    )
    result = subprocess.run(
        [sys.executable, "-m", "cityforum.cli.main", "serve", "--port", "8799"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "run “cityforum init” first" in result.stderr
