"""The bundle the site serves: written on demand under ``var/opendata/`` and kept while its
input does not change.

Each copy lives in a folder named by the checksum of its input (:mod:`.fingerprint`); a
request finds the copy of the current checksum, or writes it (one process at a time, under a
file lock) and removes the older ones. ``cityforum export opendata`` without ``--out``
rewrites it at once, whatever the checksum says.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from .bundle import DESCRIPTOR, ZIP_NAME, Written, write_bundle
from .fingerprint import input_checksum

FOLDER = ZIP_NAME.removesuffix(".zip")
#: The files of a bundle besides its data, in the order the page lists them.
DOCUMENTS = (DESCRIPTOR, "DATA_DICTIONARY.md", "LICENSE.md", "ATTRIBUTION.md")


@dataclass
class Published:
    folder: Path
    zip_path: Path
    written: Written | None = None

    @property
    def descriptor(self) -> dict[str, Any]:
        path = self.folder / DESCRIPTOR
        return _descriptor(str(path), path.stat().st_mtime_ns)

    def files(self) -> dict[str, Path]:
        """Every file a visitor may download, by its name in URLs."""
        names = [r["path"] for r in self.descriptor["resources"]] + list(DOCUMENTS)
        out = {name: self.folder / name for name in names}
        out[ZIP_NAME] = self.zip_path
        return out


@lru_cache(maxsize=4)
def _descriptor(path: str, mtime_ns: int) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def root() -> Path:
    configured = getattr(settings, "CITYFORUM_OPENDATA_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "opendata"


@contextlib.contextmanager
def _locked(base: Path) -> Iterator[None]:
    with (base / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ready(target: Path) -> bool:
    return (target / FOLDER / DESCRIPTOR).is_file() and (target / ZIP_NAME).is_file()


def publish(*, force: bool = False) -> Published:
    """The current bundle, written first if the data changed since (or if ``force``)."""
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    checksum = input_checksum()
    target = base / checksum[:16]
    published = Published(folder=target / FOLDER, zip_path=target / ZIP_NAME)
    if _ready(target) and not force:
        return published
    with _locked(base):
        if force or not _ready(target):
            target.mkdir(exist_ok=True)
            published.written = write_bundle(published.folder, make_zip=True, input_sha256=checksum)
        for old in base.iterdir():
            if old.is_dir() and old != target and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
    return published
