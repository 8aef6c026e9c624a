"""Reading a written bundle in tests: its rows, its files, a file changed by hand."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from cityforum.opendata.bundle import DESCRIPTOR


def rows(folder: Path, dataset: str) -> list[dict[str, str]]:
    text = (folder / f"{dataset}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def items(folder: Path, dataset: str) -> list[dict[str, Any]]:
    return json.loads((folder / f"{dataset}.json").read_text(encoding="utf-8"))


def every_file(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def descriptor(folder: Path) -> dict[str, Any]:
    return json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))


def rewrite(folder: Path, name: str, text: str, *, fix_checksum: bool = True) -> None:
    """Change a file of the bundle; with ``fix_checksum`` the descriptor is updated to match,
    so that the checks behind the checksum are what fails."""
    (folder / name).write_text(text, encoding="utf-8")
    if not fix_checksum:
        return
    package = descriptor(folder)
    for resource in package["resources"]:
        if resource["path"] == name:
            data = (folder / name).read_bytes()
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            resource["bytes"] = len(data)
    (folder / DESCRIPTOR).write_text(json.dumps(package, indent=2), encoding="utf-8")
