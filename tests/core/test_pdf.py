"""The PDF helper: any template to A4 PDF, tagged, titled, fonts embedded, nothing fetched
from the network."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.test import override_settings

from cityforum.core.pdf import DEJAVU_DIR, PRINT_CSS, local_fetcher, render_pdf, typeset

pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo) is not installed"
)

TEMPLATE = """{% load i18n %}<!DOCTYPE html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="{{ remote }}/style.css"></head>
<body>
<section class="cover"><h1 class="cover-title">{{ title }}</h1></section>
<nav class="toc"><ol><li><a href="#one">{{ heading }}</a></li></ol></nav>
<main><h2 id="one">{{ heading }}</h2><p>{{ body }}</p>
<img src="{{ remote }}/tracker.png" alt=""></main>
</body></html>
"""


@pytest.fixture
def template_dir(tmp_path: Path, settings) -> Iterator[Path]:
    folder = tmp_path / "templates"
    (folder / "report").mkdir(parents=True)
    (folder / "report" / "sample.html").write_text(TEMPLATE, encoding="utf-8")
    templates = [{**settings.TEMPLATES[0], "DIRS": [folder, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        yield folder


@pytest.fixture
def remote() -> Iterator[dict[str, object]]:
    """A real HTTP server on localhost that counts the requests it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "seen": seen}
    server.shutdown()
    server.server_close()


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to read the catalogue."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def sample(remote_url: str, language: str = "fr") -> bytes:
    context = {
        "title": "Rapport « résultats » : été 2026",
        "heading": "Première partie",
        "body": "Les villes intermédiaires ; les capitaux : humain, social…",
        "remote": remote_url,
    }
    return render_pdf("report/sample.html", context, language)


def test_any_template_becomes_a_tagged_titled_a4_pdf(
    template_dir: Path, remote: dict, tmp_path: Path
) -> None:
    pdf = sample(str(remote["url"]))
    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert re.search(r"Title:\s+Rapport « résultats » : été 2026", info)
    assert re.search(r"Tagged:\s+yes", info)
    assert "(A4)" in info and re.search(r"Pages:\s+3", info)
    catalogue = inflated(pdf)
    assert b"/Lang (fr)" in catalogue and b"/StructTreeRoot" in catalogue
    assert 'pdfuaid:part="1"' in pdf_tool("pdfinfo", pdf, tmp_path, "-meta")


def test_the_table_of_contents_and_footer_number_the_pages(
    template_dir: Path, remote: dict, tmp_path: Path
) -> None:
    pages = pdf_tool("pdftotext", sample(str(remote["url"])), tmp_path, "-layout").split("\f")
    assert re.search(r"Première partie[ .]*3\s*$", pages[1], re.M)
    assert re.search(r"3\s*/\s*3", pages[2])
    assert not re.search(r"\d\s*/\s*3", pages[0])


def test_nothing_is_fetched_from_the_network(template_dir: Path, remote: dict) -> None:
    assert sample(str(remote["url"])).startswith(b"%PDF-")
    assert remote["seen"] == []


def test_fonts_are_dejavu_and_embedded(template_dir: Path, remote: dict, tmp_path: Path) -> None:
    fonts = pdf_tool("pdffonts", sample(str(remote["url"])), tmp_path).splitlines()[2:]
    assert fonts and all("DejaVu" in line for line in fonts)
    assert all(line.split()[-5] == "yes" for line in fonts)


def test_the_fetcher_opens_only_local_files_under_its_roots(tmp_path: Path) -> None:
    fetcher = local_fetcher([PRINT_CSS.parent])
    assert b"@page" in fetcher.fetch(PRINT_CSS.as_uri()).read()
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    for url in [
        "https://example.org/style.css",
        "http://127.0.0.1/x.png",
        "ftp://example.org/x",
        secret.as_uri(),
        (PRINT_CSS.parent / ".." / ".." / "settings" / "base.py").as_uri(),
    ]:
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


@pytest.mark.skipif(not DEJAVU_DIR.is_dir(), reason="fonts-dejavu-core is not installed")
def test_the_fonts_directory_is_readable() -> None:
    fetcher = local_fetcher([DEJAVU_DIR])
    assert fetcher.fetch((DEJAVU_DIR / "DejaVuSerif.ttf").as_uri()).read(4) == b"\x00\x01\x00\x00"


def test_french_typography_keeps_punctuation_with_its_word() -> None:
    text = typeset("« Oui » : l'avenir ; vraiment ? Non !", "fr")
    assert text == "«\u202fOui\u202f»\u00a0: l\u2019avenir\u202f; vraiment\u202f? Non\u202f!"
    assert typeset("Yes: it's ours; really?", "en") == "Yes: it\u2019s ours; really?"
