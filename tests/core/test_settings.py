"""Configuration comes from the environment and fails loudly when it is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3.base import DatabaseWrapper

from cityforum.settings import base


def _settings_in_subprocess(
    module: str, env: dict[str, str], expression: str
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    code = f"import importlib; m = importlib.import_module('{module}'); print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )


def test_booleans_are_read_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert base.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert base.env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        base.env_bool("X_FLAG", False)


def test_database_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://forum:pw@db.example:5433/cityforum")
    config = base.database_from_environment()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("cityforum", "db.example", 5433)


def test_without_database_url_sqlite_under_var_is_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = base.database_from_environment()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(str(config["NAME"])) == base.VAR_DIR / "cityforum.sqlite3"


def test_a_malformed_database_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://x")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        base.database_from_environment()


@pytest.mark.django_db
def test_the_embedded_sqlite_database_runs_in_wal_mode(tmp_path: Path) -> None:
    settings = base.sqlite_database(tmp_path / "forum.sqlite3")
    wrapper = DatabaseWrapper(
        {
            **settings,
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
        },
        alias="wal-check",
    )
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        wrapper.close()


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    result = _settings_in_subprocess("cityforum.settings.prod", {}, "m.SECRET_KEY")
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_production_settings_refuse_debug() -> None:
    result = _settings_in_subprocess(
        "cityforum.settings.prod", {"SECRET_KEY": "x" * 50, "DEBUG": "1"}, "1"
    )
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr


def test_production_settings_take_everything_from_the_environment() -> None:
    result = _settings_in_subprocess(
        "cityforum.settings.prod",
        {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "forum.example, www.forum.example"},
        "m.ALLOWED_HOSTS, m.DEBUG, m.SECRET_KEY == 'k' * 50",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['forum.example', 'www.forum.example'] False True"


def test_the_system_checks_pass_in_deployment_mode() -> None:
    from django.core.management import call_command

    call_command("check")


def test_the_site_speaks_french_by_default() -> None:
    """The forum's source language: a visitor who names no language is answered in French."""
    assert base.LANGUAGE_CODE == "fr"
    assert [code for code, _name in base.LANGUAGES] == ["fr", "en", "es"]
