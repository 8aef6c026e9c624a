"""Every string the site shows has a French and a Spanish translation."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "cityforum" / "locale"


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) per entry, parsed the way gettext reads the file."""
    entries: list[tuple[str, list[str], bool]] = []
    msgid, msgstrs, fuzzy, current = "", [], False, None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append((msgid, msgstrs, fuzzy))
            msgid, msgstrs, fuzzy, current = "", [], False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            current, msgid = "id", line[7:-1]
        elif line.startswith("msgid_plural"):
            current = "plural"
        elif line.startswith("msgstr"):
            current = "str"
            msgstrs.append(line.split(" ", 1)[1][1:-1])
        elif line.startswith('"') and current == "id":
            msgid += line[1:-1]
        elif line.startswith('"') and current == "str":
            msgstrs[-1] += line[1:-1]
    return [e for e in entries if e[0]]  # the header has an empty msgid


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_message_is_translated(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = _entries(po)
    assert len(entries) > 150
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_catalogues_compile_and_are_compiled(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True)
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run make install"


def test_the_catalogues_hold_every_string_of_the_code(tmp_path: Path) -> None:
    """A string added to the code without `make messages` would reach readers untranslated.

    makemessages runs on a copy of the source tree (the real catalogues stay untouched),
    merging the code's strings into the French catalogue; nothing may come out empty.
    """
    from django.core.management import call_command

    copy = tmp_path / "cityforum"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages",
            locale=["fr"],
            ignore_patterns=["analysis/*"],
            verbosity=0,
            no_obsolete=True,
        )
    finally:
        os.chdir(cwd)
    merged = _entries(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    missing = [msgid for msgid, strs, fuzzy in merged if not all(strs) or fuzzy]
    assert not missing, f"strings missing from the catalogues (run make messages): {missing[:10]}"
