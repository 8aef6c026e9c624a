"""Error pages in the reader's language; the API answers problem+json instead."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import unavailable
from .problems import problem


def _language_from_path(request: HttpRequest) -> None:
    language = translation.get_language_from_path(request.path_info)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return problem(404, _("Not found."), _("Nothing exists at this address."), "not-found")
    _language_from_path(request)
    body = loader.render_to_string("404.html", {"request_path": request.path}, request)
    return HttpResponse(body, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while Django handles the exception: a database that is away gets a 503.
    error = sys.exc_info()[1]
    if unavailable.caused_by_database(error):
        return unavailable.response(request, error)
    if request.path_info.startswith("/api/"):
        return problem(
            500, _("Server error."), _("Something went wrong on our side."), "server-error"
        )
    _language_from_path(request)
    # No request context: whatever broke the page may break the context processors too.
    body = loader.render_to_string("500.html", {"LANGUAGE_CODE": translation.get_language()})
    return HttpResponse(body, status=500)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, made to work whatever language the request negotiated.

    Django translates ``next`` by resolving it under the *active* language; a page read
    in English by a browser that prefers French would stay English. Resolving ``next``
    under the language of its own prefix fixes that.
    """
    next_url = request.POST.get("next", "")
    language = translation.get_language_from_path(next_url.split("?")[0]) if next_url else None
    if language:
        translation.activate(language)
    return django_set_language(request)
