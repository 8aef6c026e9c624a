"""The drafted document as a file (PDF, Markdown, JSON), from its page: ``export/?format=``.

The same files as the API's ``/documents/{id}/export``; an unknown format or language
answers 404 with a page that says which ones exist.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cityforum.core.languages import CONTENT_LANGUAGES, active_language

from .exports import FORMATS, export_document
from .models import Document


def export(request: HttpRequest, slug: str) -> HttpResponse:
    document = get_object_or_404(Document.objects.select_related("consultation"), slug=slug)
    format = request.GET.get("format", "pdf")
    language = request.GET.get("language") or active_language()
    try:
        content, content_type, filename = export_document(
            document, format, language, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        return render(
            request,
            "drafting/export/unavailable.html",
            {
                "document": document,
                "message": " ".join(error.messages),
                "export_formats": list(FORMATS),
                "export_languages": CONTENT_LANGUAGES,
            },
            status=404,
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
