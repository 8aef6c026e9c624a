"""The deployment files (``deploy/``) are checked here, since containers cannot run on the
machines that run the tests: the compose file parses and its app configuration matches the
README's configuration table both ways, the image installs the Makefile's OS packages, and
every command the files start is one the CLI has."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def readme_variables() -> set[str]:
    """The variables named in the first column of the README's configuration table."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("| variable | default | meaning |", 1)[1].split("\n\n", 1)[0]
    names: set[str] = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first))
    return names


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_the_compose_file_runs_app_servers_a_worker_postgresql_redis_and_a_tls_proxy(
    compose: dict,
) -> None:
    services = compose["services"]
    assert {"migrate", "web", "worker", "postgres", "redis", "caddy"} <= set(services)
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["caddy"]["image"].startswith("caddy:")
    assert "443:443" in services["caddy"]["ports"]
    # Migrations before the new code takes traffic.
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_every_app_variable_of_the_compose_file_is_in_the_readme_and_back(compose: dict) -> None:
    app_env = compose["x-cityforum-env"]
    for name in ("migrate", "web", "worker"):
        assert compose["services"][name]["environment"] == app_env, name
    # The demonstration forum's variables are set by `cityforum demo` on a laptop, never in a
    # deployment: the README's table says so, and they are the only ones a deployment leaves out.
    demo_only = {"CITYFORUM_DEMO", "CITYFORUM_DEMO_SHARED_DATA"}
    assert set(app_env) == readme_variables() - demo_only
    assert not demo_only & set(app_env)


def test_the_compose_file_shares_limits_and_jobs_through_redis(compose: dict) -> None:
    env = compose["x-cityforum-env"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["HUEY_REDIS_URL"].startswith("redis://redis:")
    assert "${SECRET_KEY:?" in env["SECRET_KEY"], "the secret comes from the environment"
    assert "--appendonly" in compose["services"]["redis"]["command"], "queued jobs survive"


def test_the_systemd_units_read_only_documented_variables() -> None:
    documented = readme_variables()
    example = (DEPLOY / "systemd" / "cityforum.env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0] for line in example.splitlines() if re.match(r"[A-Z]", line)}
    assert names and names <= documented


def _commands() -> list[list[str]]:
    """Every ``cityforum …`` command line the deployment files start."""
    commands = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read_string(unit.read_text(encoding="utf-8"))
        commands.append(shlex.split(parser["Service"]["ExecStart"].replace("%i", "8001")))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    commands += [
        s["command"] for s in compose["services"].values() if "cityforum" in str(s.get("command"))
    ]
    containerfile = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    commands.append(json_cmd(containerfile))
    return commands


def json_cmd(containerfile: str) -> list[str]:
    import json

    line = next(line for line in containerfile.splitlines() if line.startswith("CMD "))
    return json.loads(line.removeprefix("CMD "))


def test_every_command_the_deployment_starts_exists() -> None:
    from click.testing import CliRunner

    from cityforum.cli.main import cli

    commands = _commands()
    assert len(commands) >= 6
    for command in commands:
        assert Path(command[0]).name == "cityforum", command
        args = command[1:]
        if args[:1] == ["manage"]:
            from django.core.management import get_commands

            assert args[1] in get_commands(), command
            continue
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_the_image_installs_the_makefiles_os_packages() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    packages = re.search(r"^OS_PACKAGES := (.+)$", makefile, re.M)
    assert packages is not None
    containerfile = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    install = containerfile.split("apt-get install", 1)[1].split("&&", 1)[0].split()
    assert "redis-server" in packages[1].split()
    assert set(packages[1].split()) <= set(install)
    assert re.search(r"^FROM debian:", containerfile, re.M)
