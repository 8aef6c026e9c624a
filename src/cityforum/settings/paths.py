"""Where the project keeps its files, and the per-checkout secret key.

Kept apart from ``base`` because the CLI needs these before any settings module is
imported (importing ``base`` would freeze the environment it reads).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SRC_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CITYFORUM_VAR_DIR", REPO_DIR / "var"))


def local_secret_key() -> str:
    """A key generated once per checkout and kept out of the repository (var/ is ignored).

    Used by the development settings and by ``cityforum`` commands when ``SECRET_KEY``
    is unset, so that a fresh clone runs without anyone inventing a secret by hand.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
