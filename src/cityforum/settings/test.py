"""Tests: fast hashing, in-memory e-mail, SQLite unless ``--postgres`` swaps the database.

The PostgreSQL run is arranged by ``tests/conftest.py``: it starts a real server from
the system binaries and points the default database at it before any test database
is created.
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import STATIC_ROOT, STORAGES, VAR_DIR, sqlite_database

SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105
# Jobs run at once, in the test's own thread and transaction.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "cityforum-tests", "immediate": True}
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {"default": sqlite_database(VAR_DIR / "test.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns (an error under the suite's filterwarnings) when STATIC_ROOT does not
# exist yet, as on a fresh clone; the tests serve static files through the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The tests are written in English: a request that names no language gets English here,
# where the site answers in French (tests/core/test_settings.py checks that default).
LANGUAGE_CODE = "en"

# The suite writes from 127.0.0.1 far faster than people do: the write limits of
# people.throttle are tested with low rates of their own (tests/people/test_write_throttle.py).
CITYFORUM_WRITE_RATE_PER_PERSON = "100000/m"
CITYFORUM_WRITE_RATE_PER_ADDRESS = "100000/m"
