"""Step ``report``: the forum's outcome document and its G20 brief, generated from the stored,
approved results as ``cityforum report forum`` and ``cityforum report brief`` generate them,
beside the demo's database (``var/demo-report/``). The site also serves them at
``/<lang>/reports/forum/`` and ``/<lang>/reports/brief/``.

The full demo writes the French PDF (WeasyPrint takes a while on two cores); the small slice
writes Markdown in the three languages, which runs through the same assembly.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .builder import DemoBuild

LANGUAGES = ("fr", "en", "es")


def report_folder() -> Path:
    """``var/demo-report/``, or ``CITYFORUM_DEMO_REPORT_DIR`` (the tests' own folder)."""
    configured = getattr(settings, "CITYFORUM_DEMO_REPORT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "demo-report"


def generate(run: DemoBuild) -> str:
    from cityforum.programme.models import Forum
    from cityforum.reports.assemble import forum_report
    from cityforum.reports.brief import g20_brief
    from cityforum.reports.render import render

    forum = Forum.objects.order_by("-edition").get()
    folder = report_folder()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    languages = LANGUAGES[:1] if not run.small else LANGUAGES
    format = "md" if run.small else "pdf"
    for language in languages:
        for stem, report in (
            ("forum-report", forum_report(forum, language)),
            ("g20-brief", g20_brief(forum, language)),
        ):
            content, _type, _name = render(report, format)
            path = folder / f"{stem}-{language}.{format}"
            path.write_bytes(content)
            written.append(f"{path.name} ({len(content) // 1024} KB)")
    return "forum report and G20 brief: " + ", ".join(written)
