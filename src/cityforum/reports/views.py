"""The outcome documents on the site, and as files: ``?format=pdf|md&language=fr|en|es``;
and the organisers' dashboard.

The pages are public: a report only shows public, approved, aggregate data. The web page is in
the language of its address; ``?language=`` on a page moves to that language's address, and
on a file chooses the file's language (the page's by default).
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cityforum.core.languages import CONTENT_LANGUAGES, active_language
from cityforum.programme.models import Consultation, Forum

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .assemble import consultation_report, forum_report
from .blocks import Report
from .brief import g20_brief
from .dashboard import dashboard_context
from .render import FORMATS, clean_format, clean_language
from .render import render as render_file

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español"}


def _latest_forum() -> Forum:
    forum = Forum.objects.order_by("-edition").first()
    if forum is None:
        raise Http404(_("No forum has been set up yet."))
    return forum


def _consultation(slug: str) -> Consultation:
    found = Consultation.objects.select_related("forum", "region").filter(slug=slug)
    consultation = found.order_by("-forum__edition").first()
    if consultation is None:
        raise Http404(_("No consultation is called “%(slug)s”.") % {"slug": slug})
    return consultation


def _downloads(path: str) -> list[dict[str, str]]:
    links = []
    for format, label in (("pdf", "PDF"), ("md", "Markdown")):
        for code in CONTENT_LANGUAGES:
            links.append(
                {
                    "url": f"{path}?format={format}&language={code}",
                    "label": f"{label} · {LANGUAGE_NAMES[code]}",
                    "language": code,
                }
            )
    return links


def _serve(request: HttpRequest, build: Any, name: str, args: list[Any]) -> HttpResponse:
    format = request.GET.get("format", "html")
    requested = request.GET.get("language")
    try:
        language = clean_language(requested or active_language())
        clean_format(format)
    except ValidationError as error:
        return render(
            request,
            "reports/unavailable.html",
            {
                "message": " ".join(error.messages),
                "formats": list(FORMATS),
                "languages": CONTENT_LANGUAGES,
            },
            status=404,
        )
    if format == "html":
        if requested and requested != active_language():
            with translation.override(language):
                return HttpResponseRedirect(reverse(name, args=args))
        report: Report = build(language, "")
        context = {"report": report, "print": False, "downloads": _downloads(request.path)}
        return render(request, "reports/page.html", context)
    report = build(language, request.build_absolute_uri("/").rstrip("/"))
    content, content_type, filename = render_file(report, format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def forum(request: HttpRequest) -> HttpResponse:
    """The forum's outcome document."""
    edition = _latest_forum()
    return _serve(
        request, lambda language, base: forum_report(edition, language, base), "reports:forum", []
    )


def brief(request: HttpRequest) -> HttpResponse:
    """The G20 brief: the adopted recommendations to the global level, two pages at most."""
    edition = _latest_forum()
    return _serve(
        request, lambda language, base: g20_brief(edition, language, base), "reports:brief", []
    )


def consultation(request: HttpRequest, slug: str) -> HttpResponse:
    """One consultation's report."""
    found = _consultation(slug)
    return _serve(
        request,
        lambda language, base: consultation_report(found, language, base),
        "reports:consultation",
        [slug],
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    """The organisers' dashboard (moderators: their regions' part); others are refused."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.test_rule("reports.view_dashboard", request.user):
        raise PermissionDenied(_("The dashboard is for organisers and moderators."))
    return render(request, "reports/dashboard.html", dashboard_context(request.user))
