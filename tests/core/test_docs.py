"""What a person can call is documented: every API endpoint, every CLI command and setting."""

from __future__ import annotations

import re
from pathlib import Path

import click
from django.test import Client

from cityforum.cli.main import cli

REPO = Path(__file__).resolve().parents[2]


def test_every_api_endpoint_is_in_docs_api(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    doc = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    for path, operations in schema["paths"].items():
        short = path.removeprefix("/api/v1")
        for method in operations:
            pattern = rf"`[A-Z/]*\b{method.upper()}\b[A-Z/]* {re.escape(short)}[`?]"
            documented = re.search(pattern, doc)
            assert documented, f"{method.upper()} {path} is not documented in docs/api.md"


def _commands(group: click.Group, prefix: str = "cityforum") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            names += _commands(command, full)
        else:
            names.append(full)
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in _commands(cli):
        assert f"`{command}" in readme, f"{command} is not documented in README.md"


def test_every_environment_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    settings_code = "".join(p.read_text() for p in (REPO / "src/cityforum/settings").glob("*.py"))
    names = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', settings_code))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_code))
    assert {"DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "SECRET_KEY"} <= names
    for name in names:
        assert f"`{name}`" in readme, f"{name} is not documented in README.md"
