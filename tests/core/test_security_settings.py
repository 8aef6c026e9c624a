"""Production settings are hardened: Django's deployment check finds nothing to say.

Each check runs the production settings in a fresh process, with only ``SECRET_KEY`` and
``ALLOWED_HOSTS`` in the environment, as an operator would start the forum. The pages
carry a Content-Security-Policy without ``'unsafe-inline'``, so the templates hold no
inline script, style attribute or event handler (a scan below keeps it so), and every
form that posts carries its CSRF token.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from cityforum.people.models import User

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "src" / "cityforum" / "templates"
HARDENING = {
    "DEBUG",
    "DATABASE_URL",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
}


def _production_env(tmp_path: Path) -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment must not.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in HARDENING and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cityforum.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="forum.example",
        CITYFORUM_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'forum.sqlite3'}",
        LANG="en",
        # Several worker processes need shared limits (REDIS_URL), else check --deploy warns
        # (cityforum.W002, tests/core/test_shared_state.py): this deployment has one process.
        WEB_CONCURRENCY="1",
    )
    env.pop("REDIS_URL", None)
    return env


def test_the_deployment_check_passes_without_a_single_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cityforum.cli.main",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# The page is rendered in the production process by Django's test client; only the static
# files storage is swapped, because the manifest exists after `collectstatic` alone.
PAGE_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import override_settings
from django.conf import settings
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
    client = Client()
    page = client.get("/en/accounts/login/", secure=True, HTTP_HOST="forum.example")
    plain = client.get("/en/accounts/login/", HTTP_HOST="forum.example")
print(json.dumps({
    "status": page.status_code,
    "headers": dict(page.headers),
    "cookies": {name: dict(morsel) for name, morsel in page.cookies.items()},
    "plain": [plain.status_code, plain.headers.get("Location")],
}))
"""


@pytest.fixture(scope="module")
def production_page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", PAGE_SCRIPT],
        env=_production_env(tmp_path_factory.mktemp("prod")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pages_carry_a_content_security_policy_without_unsafe_inline(
    production_page: dict,
) -> None:
    assert production_page["status"] == 200
    policy = production_page["headers"]["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_are_https_only_unframeable_and_keep_their_referrer(production_page: dict) -> None:
    headers = production_page["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert production_page["plain"] == [301, "https://forum.example/en/accounts/login/"]


def test_cookies_travel_over_https_only(production_page: dict) -> None:
    csrf = production_page["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"


def test_the_session_cookie_is_secure_and_hidden_from_scripts(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib, json; m = importlib.import_module('cityforum.settings.prod'); "
            "print(json.dumps([m.SESSION_COOKIE_SECURE, m.SESSION_COOKIE_HTTPONLY, "
            "m.CSRF_COOKIE_SECURE, m.LANGUAGE_COOKIE_SECURE, m.SECURE_SSL_REDIRECT]))",
        ],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, True, True, True]


def test_the_policy_is_sent_in_every_environment(db: None) -> None:
    """Development and tests get the same policy, so that a violation shows early."""
    response = Client().get("/en/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- The templates obey the policy ---------------------------------------------------------


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_holds_an_inline_script_style_or_event_handler() -> None:
    """The CSP blocks them: a chart sizes itself with SVG attributes and CSS classes."""
    offences = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
            r"<style\b",
            r"\sstyle\s*=",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            for match in re.finditer(pattern, text, re.IGNORECASE):
                offences.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offences == []


def test_every_form_that_posts_carries_its_csrf_token() -> None:
    missing = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>", text, re.IGNORECASE):
            if not re.search(r"method=[\"']?post", match.group(0), re.IGNORECASE):
                continue
            body = text[match.end() : text.find("</form>", match.end())]
            if "{% csrf_token %}" not in body:
                missing.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert missing == []
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_nothing_turns_the_csrf_check_off() -> None:
    sources = (REPO / "src" / "cityforum").rglob("*.py")
    assert [str(p) for p in sources if "csrf_exempt" in p.read_text(encoding="utf-8")] == []


# --- Passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("83749201563", "This password is entirely numeric."),
        ("quillfeather", "The password is too similar to the e-mail address."),
    ],
)
def test_weak_passwords_are_refused_at_sign_up_with_the_reason(
    db: None, password: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(email="quillfeather@example.org"))
    assert message in refused.value.messages
    page = Client().post(
        "/en/accounts/signup/",
        {
            "email": "quillfeather@example.org",
            "password1": password,
            "password2": password,
            "consent": "on",
        },
    )
    assert page.status_code == 400
    assert message in page.content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()
