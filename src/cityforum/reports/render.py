"""A report as a file: PDF (WeasyPrint, through :func:`cityforum.core.pdf.render_pdf`),
Markdown, or a self-contained HTML page; the site's own page is ``templates/reports/page.html``.

All three are made from the same :class:`~.blocks.Report`, so they say the same thing.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cityforum.core import exports
from cityforum.core.pdf import render_pdf

from .blocks import Report
from .markdown import to_markdown

FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
}
STATIC = Path(__file__).resolve().parent / "static" / "reports"
PRINT_CSS = STATIC / "report-print.css"
BRIEF_CSS = STATIC / "brief-print.css"
SITE_CSS = Path(__file__).resolve().parent.parent / "static" / "cityforum" / "site.css"


def clean_format(value: Any) -> str:
    return exports.clean_format(
        value, FORMATS, _("Unknown report format “%(format)s”; choose one of: %(formats)s.")
    )


clean_language = exports.clean_language


def to_pdf(report: Report) -> bytes:
    """The report on A4: cover, contents with page numbers, charts as vectors, fonts embedded,
    tagged."""
    title = f"{report.title} — {report.badge}"
    if report.kind == "brief":  # two pages at most: no cover, no contents (reports/brief.py)
        return render_pdf(
            "reports/brief_print.html",
            {"report": report, "print": True},
            report.language,
            title=title,
            stylesheets=[PRINT_CSS, BRIEF_CSS],
        )
    return render_pdf(
        "reports/print.html",
        {"report": report, "print": True},
        report.language,
        title=title,
        stylesheets=[PRINT_CSS],
    )


def to_html(report: Report) -> str:
    """A page that reads on its own, away from the site: its stylesheet travels with it as a
    ``data:`` URL, links are absolute when the report was made with the site's address. The
    site never serves this file (its page is ``reports/page.html``, under the site's
    Content-Security-Policy, with the stylesheet from the site)."""
    css = SITE_CSS.read_bytes() + b"\n" + (STATIC / "report.css").read_bytes()
    stylesheet = "data:text/css;charset=utf-8;base64," + base64.b64encode(css).decode("ascii")
    with translation.override(report.language):
        return render_to_string(
            "reports/standalone.html",
            {"report": report, "print": False, "stylesheet": stylesheet},
        )


def render(report: Report, format: str) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of ``report`` in ``format``."""
    format = clean_format(format)
    content_type, extension = FORMATS[format]
    if format == "pdf":
        content = to_pdf(report)
    elif format == "md":
        content = to_markdown(report).encode("utf-8")
    else:
        content = to_html(report).encode("utf-8")
    return content, content_type, f"{report.file_stem}.{extension}"
