"""The download page (``/<lang>/opendata/``) and its files, read from the site's bundle."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .bundle import DESCRIPTOR, ZIP_NAME
from .datasets import DATASETS
from .site import DOCUMENTS, Published, publish

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".zip": "application/zip",
}


def file_url(name: str) -> str:
    return reverse("opendata:file", args=[name])


def dataset_entries(published: Published) -> list[dict[str, Any]]:
    """Each dataset with its translated title and description, rows, files and sizes."""
    resources = {r["name"]: r for r in published.descriptor["resources"]}
    entries = []
    for name, dataset in DATASETS.items():
        csv_resource, json_resource = resources.get(name), resources.get(f"{name}-json")
        if csv_resource is None or json_resource is None:  # pragma: no cover - a stale bundle
            continue
        entries.append(
            {
                "name": name,
                "title": dataset.title,
                "description": dataset.description,
                "rows": csv_resource.get("cityforum:rows", 0),
                "fields": len(dataset.fields),
                "csv": _file(csv_resource),
                "json": _file(json_resource),
            }
        )
    return entries


def _file(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "path": resource["path"],
        "url": file_url(resource["path"]),
        "bytes": resource.get("bytes", 0),
        "sha256": str(resource.get("hash", "")).removeprefix("sha256:"),
    }


def polis_entries(published: Published) -> list[dict[str, Any]]:
    by_consultation: dict[str, list[dict[str, Any]]] = {}
    for resource in published.descriptor["resources"]:
        info = resource.get("cityforum:polis")
        if info:
            by_consultation.setdefault(info["consultation"], []).append(
                {"name": info["file"], **_file(resource)}
            )
    return [
        {"consultation": slug, "files": files} for slug, files in sorted(by_consultation.items())
    ]


def licences() -> list[Any]:
    from cityforum.programme.models import Forum

    return list(Forum.objects.order_by("-edition", "slug"))


def index(request: HttpRequest) -> HttpResponse:
    published = publish()
    descriptor = published.descriptor
    return render(
        request,
        "opendata/index.html",
        {
            "datasets": dataset_entries(published),
            "polis": polis_entries(published),
            "forums": licences(),
            "created": descriptor.get("created", ""),
            "zip": {"url": file_url(ZIP_NAME), "bytes": published.zip_path.stat().st_size},
            "documents": [{"name": name, "url": file_url(name)} for name in DOCUMENTS],
            "descriptor_url": file_url(DESCRIPTOR),
        },
    )


def download(request: HttpRequest, name: str) -> FileResponse:
    """One file of the bundle, by the name the descriptor gives it; nothing else is served."""
    path = publish().files().get(name)
    if path is None or not path.is_file():
        raise Http404(_("The open data has no file called “%(name)s”.") % {"name": name})
    suffix = path.suffix.lower()
    content_type = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
    response = FileResponse(
        path.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=suffix in (".zip", ".csv"),
        filename=name.replace("/", "-") if suffix in (".zip", ".csv") else "",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
