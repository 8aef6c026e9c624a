"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see
``docs/configuration.md``): ``DATABASE_URL``, ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS``, ``CITYFORUM_VAR_DIR``. The defaults make a fresh clone work
with an embedded SQLite database under ``var/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .paths import REPO_DIR, SRC_DIR, VAR_DIR, local_secret_key  # noqa: F401

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment, refusing words that are neither."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def sqlite_database(path: Path) -> dict[str, object]:
    """An SQLite database tuned for a small web server: WAL journal, immediate writes.

    WAL lets readers proceed while one writer writes; ``IMMEDIATE`` transactions take
    the write lock at BEGIN, so concurrent writers queue (up to the timeout) instead of
    failing half-way with "database is locked". Connections persist across requests (one
    per server thread): opening one, with its PRAGMAs and a cold page cache, cost more
    than a vote.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
    }


def postgres_options() -> dict[str, object]:
    """psycopg options for PostgreSQL: prepare a statement at its first use on a connection,
    but only those run through ``cityforum.core.prepared.prepared_cursor`` (the vote write);
    Django's own cursors bind on the client and are never prepared.
    ``DATABASE_PREPARED_STATEMENTS=0`` gives Django's default, ``None``: never prepare.
    """
    prepared = env_bool("DATABASE_PREPARED_STATEMENTS", True)
    return {"prepare_threshold": 0 if prepared else None}


def database_from_environment() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return sqlite_database(VAR_DIR / "cityforum.sqlite3")
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from error
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        return sqlite_database(Path(str(config["NAME"])))
    if "postgresql" in str(config.get("ENGINE", "")):
        config["OPTIONS"] = {
            **dict(config.get("OPTIONS") or {}),  # type: ignore[call-overload]
            **postgres_options(),
        }
    return config


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "cityforum.core",
    "cityforum.people",
    "cityforum.programme",
    "cityforum.cities",
    "cityforum.participation",
    "cityforum.statements",
    "cityforum.drafting",
    "cityforum.assessments",
    "cityforum.synthesis",
    "cityforum.recommendations",
    "cityforum.reports",
    "cityforum.opendata",
    "huey.contrib.djhuey",
    "cityforum.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After sessions, language and authentication: it counts writes per person and address.
    "cityforum.people.throttle.WriteThrottleMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # ModelBackend first: it is the one that logs people in (and is used by force_login).
    "django.contrib.auth.backends.ModelBackend",
    "rules.permissions.ObjectPermissionBackend",
    "cityforum.people.backends.OrganiserBackend",
]
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "programme:home"

ROOT_URLCONF = "cityforum.urls"
WSGI_APPLICATION = "cityforum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cityforum.demo.context.demo",
            ],
        },
    },
]

DATABASES = {"default": database_from_environment()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The forum's source language is French: content falls back to it.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [SRC_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "cityforum_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only this site's own files run or style the pages,
# no inline script or style attribute, no framing, forms post only here. Charts use SVG
# presentation attributes and CSS classes, never style="" (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Writes (POST, PUT, PATCH, DELETE on pages and the API) per minute before a 429
# (cityforum.people.throttle), a backstop under each endpoint's own limits: per person
# (someone voting through statements by keyboard casts one vote a second or so), and per
# client address, which a workshop room behind one router shares. Behind a reverse proxy,
# every visitor has the proxy's address: raise the per-address rate or set it to "" (off).
CITYFORUM_WRITE_RATE_PER_PERSON = os.environ.get("CITYFORUM_WRITE_RATE_PER_PERSON", "120/m")
CITYFORUM_WRITE_RATE_PER_ADDRESS = os.environ.get("CITYFORUM_WRITE_RATE_PER_ADDRESS", "1200/m")
#: Votes per person per minute through the API (on top of the limits above).
CITYFORUM_VOTE_RATE = os.environ.get("CITYFORUM_VOTE_RATE", "600/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# Shared state for several server processes and hosts (docs/deploy.md): with REDIS_URL set,
# the cache (django-ratelimit's sign-in and contribution counters), the write and vote
# limiters (cityforum.core.limits) and the job queue live in Redis, shared by every process.
# Without it, each process counts its own limits and jobs queue in an SQLite file: one
# machine. Sessions stay in the database in both cases: it is already shared, and a session
# must not come back from a cache that missed its deletion while Redis was down.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cityforum.core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cityforum",
        }
    }

# Background jobs (huey): SQLite storage under var/ by default, Redis when HUEY_REDIS_URL
# (or else REDIS_URL) is set.
HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "cityforum",
    "filename": str(VAR_DIR / "huey.sqlite3"),
    "immediate": False,
    "results": True,
    # An idle consumer polls the queue at most every 0.5 s (huey's default backs off to 10 s),
    # so the live opinion map's first update after a quiet spell is not 10 s late (issue 16).
    "consumer": {"workers": 1, "worker_type": "thread", "max_delay": 0.5},
}
HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL") or REDIS_URL
if HUEY_REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "cityforum",
        "url": HUEY_REDIS_URL,
        "immediate": False,
        "results": True,
        "consumer": {"workers": 1, "worker_type": "thread"},
    }

# How long a background job holds its run without a sign of life before the run counts as
# lost (its worker killed) and is queued again (cityforum.synthesis.runs). Longer than the
# longest step of a job (the fit of a large opinion map).
CITYFORUM_JOB_LEASE_SECONDS = int(os.environ.get("CITYFORUM_JOB_LEASE_SECONDS", "900"))

# The cities registry: places of at least this many inhabitants are loaded.
CITYFORUM_MIN_CITY_POPULATION = int(os.environ.get("CITYFORUM_MIN_CITY_POPULATION", "1000"))

# The live opinion map (issue 16): seconds between two updates of one consultation, unpinned
# updates kept per consultation, smallest group shown to participants (smaller: "other").
CITYFORUM_LIVE_MAP_MIN_INTERVAL = float(os.environ.get("CITYFORUM_LIVE_MAP_MIN_INTERVAL", "1"))
CITYFORUM_LIVE_MAP_MAX_SHARE = float(os.environ.get("CITYFORUM_LIVE_MAP_MAX_SHARE", "0.25"))
CITYFORUM_LIVE_MAP_KEEP = int(os.environ.get("CITYFORUM_LIVE_MAP_KEEP", "10"))
CITYFORUM_LIVE_MAP_MIN_GROUP = int(os.environ.get("CITYFORUM_LIVE_MAP_MIN_GROUP", "5"))

# The demonstration forum (``cityforum demo``, ``make demo``): every page carries a banner
# saying its content comes from public consultations that were not part of this forum, and
# the "About this demo" page is served. Never set on a real forum.
CITYFORUM_DEMO = env_bool("CITYFORUM_DEMO", False)
# Functions (dotted paths) whose Markdown the open-data bundle's ATTRIBUTION.md appends: the
# demo names its public sources there (only while CITYFORUM_DEMO is on) without the open-data
# app knowing the demo (docs/architecture.md). An empty answer adds nothing.
CITYFORUM_OPENDATA_ATTRIBUTIONS = ["cityforum.demo.sources.bundle_attribution"]
if CITYFORUM_DEMO:
    # The demo's open-data bundle must never replace the real forum's copy under var/.
    CITYFORUM_OPENDATA_DIR = VAR_DIR / "demo-opendata"
