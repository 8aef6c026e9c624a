"""Render a Django template to a PDF document with WeasyPrint (drafted texts, outcome reports).

The template is ordinary HTML rendered in the requested language; the shared print
stylesheet (``static/cityforum/print.css``) lays it out on A4 with a cover page, a table
of contents whose page numbers WeasyPrint fills in (``target-counter``), and page
numbers in the footer. A template uses its classes:

- ``<section class="cover">`` — the first page, without running header or footer;
- ``<nav class="toc"><ol><li><a href="#id">…</a></li></ol></nav>`` — each link gets the
  page number of its target;
- ``<h1>``, ``<h2>``, ``<h3>`` in the body — the document title (``h1``) is repeated in
  the running header.

Fonts are DejaVu (``fonts-dejavu-core``), declared with ``@font-face`` from the files on
disk so that they are embedded whatever fontconfig would pick; nothing is ever fetched
from the network: the URL fetcher only opens ``data:`` URLs and files under the
directories it is given. The PDF is tagged (PDF/UA-1) and carries its title and language
in its metadata, so screen readers and archives can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

#: The shared print stylesheet.
PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "cityforum" / "print.css"

#: Where Debian's fonts-dejavu-core puts the fonts (``CITYFORUM_PDF_FONT_DIR`` overrides it).
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")

#: (family, weight, style, file) of every face the stylesheet uses.
FONT_FACES: tuple[tuple[str, str, str, str], ...] = (
    ("DejaVu Serif", "normal", "normal", "DejaVuSerif.ttf"),
    ("DejaVu Serif", "bold", "normal", "DejaVuSerif-Bold.ttf"),
    ("DejaVu Serif", "normal", "italic", "DejaVuSerif-Italic.ttf"),
    ("DejaVu Serif", "bold", "italic", "DejaVuSerif-BoldItalic.ttf"),
    ("DejaVu Sans", "normal", "normal", "DejaVuSans.ttf"),
    ("DejaVu Sans", "bold", "normal", "DejaVuSans-Bold.ttf"),
    ("DejaVu Sans", "normal", "italic", "DejaVuSans-Oblique.ttf"),
    ("DejaVu Sans", "bold", "italic", "DejaVuSans-BoldOblique.ttf"),
)

#: PDF/UA-1: tagged, with title and language; falls back to plain tags if unavailable.
PDF_VARIANT = "pdf/ua-1"


_FRENCH_BEFORE_COLON = re.compile(r" +:")
_FRENCH_BEFORE_MARK = re.compile(r" +([;!?»])")
_FRENCH_AFTER_GUILLEMET = re.compile(r"« +")


_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def typeset(text: str, language: str) -> str:
    """``text`` as print sets it (the stored text is left alone): typographic
    apostrophes, and in French a no-break space before ``:`` and a narrow one before
    ``; ! ? »`` and after ``«``, so that no line starts with the punctuation mark."""
    text = _APOSTROPHE.sub("\u2019", text)
    if language != "fr":
        return text
    text = _FRENCH_BEFORE_COLON.sub("\u00a0:", text)
    text = _FRENCH_BEFORE_MARK.sub("\u202f\\1", text)
    return _FRENCH_AFTER_GUILLEMET.sub("«\u202f", text)


def font_dir() -> Path:
    return Path(getattr(settings, "CITYFORUM_PDF_FONT_DIR", "") or DEJAVU_DIR)


def font_face_css(directory: Path | None = None) -> str:
    """``@font-face`` rules for the DejaVu files that exist in ``directory``.

    A face whose file is missing is left out: WeasyPrint then asks fontconfig for the
    family, which still embeds the font it finds.
    """
    directory = directory or font_dir()
    rules = []
    for family, weight, style, filename in FONT_FACES:
        path = directory / filename
        if path.is_file():
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                f'font-style: {style}; src: url("{path.as_uri()}"); }}'
            )
    return "\n".join(rules)


def local_fetcher(roots: Iterable[Path]) -> Any:
    """A WeasyPrint URL fetcher that opens ``data:`` URLs and files under ``roots``, and
    refuses everything else (``http``, ``https``, ``ftp``, files elsewhere): a PDF must
    not depend on, or reveal itself to, another server."""
    from weasyprint.urls import URLFetcher

    allowed = [root.resolve() for root in roots]

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url}: PDFs only use local files")

    return LocalFetcher(allowed_protocols=["file", "data"], timeout=5)


def render_html(template_name: str, context: Mapping[str, Any], language: str) -> str:
    """The template rendered in ``language`` (what the PDF is made from)."""
    with translation.override(language):
        return render_to_string(template_name, {**context, "language": language})


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    language: str,
    *,
    title: str = "",
    stylesheets: Iterable[Path] = (),
    file_roots: Iterable[Path] = (),
) -> bytes:
    """``template_name`` rendered with ``context`` in ``language``, as PDF bytes.

    ``title`` (default: the HTML ``<title>``) and ``language`` go into the PDF metadata.
    ``stylesheets`` are added after the shared print stylesheet; files under
    ``file_roots`` (images, charts) may be referenced by ``file://`` URLs.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(template_name, context, language)
    fonts = font_dir()
    roots = [fonts, PRINT_CSS.parent, *file_roots, *[Path(s).parent for s in stylesheets]]
    fetcher = local_fetcher(roots)
    font_config = FontConfiguration()
    sheets = [
        CSS(string=font_face_css(fonts), font_config=font_config, url_fetcher=fetcher),
        CSS(filename=str(PRINT_CSS), font_config=font_config, url_fetcher=fetcher),
        *[CSS(filename=str(s), font_config=font_config, url_fetcher=fetcher) for s in stylesheets],
    ]
    with translation.override(language):
        document = HTML(
            string=html, base_url=PRINT_CSS.parent.as_uri() + "/", url_fetcher=fetcher
        ).render(
            stylesheets=sheets,
            font_config=font_config,
            pdf_variant=PDF_VARIANT,
            pdf_tags=True,
        )
    if title:
        document.metadata.title = title
    document.metadata.lang = language
    result: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return result
