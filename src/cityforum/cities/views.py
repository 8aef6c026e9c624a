"""The city search page: works as a plain form, refines as you type with htmx."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .search import search_cities

MAX_QUERY = 100


def city_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    error = ""
    results = None
    if len(query) > MAX_QUERY:
        error = _("Type at most %(n)d characters.") % {"n": MAX_QUERY}
    elif query:
        results = Paginator(search_cities(query), 25).get_page(request.GET.get("page"))
    template = "cities/_results.html" if request.headers.get("HX-Request") else "cities/search.html"
    return render(request, template, {"query": query, "results": results, "error": error})
