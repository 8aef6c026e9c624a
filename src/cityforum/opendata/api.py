"""Read API of the open data: the list of datasets, and each dataset's CSV or JSON file.

Registered in :mod:`cityforum.api.urls` beside the other domains' routers.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from .bundle import DESCRIPTOR, ZIP_NAME
from .datasets import DATASETS
from .site import publish
from .views import CONTENT_TYPES, dataset_entries, licences, polis_entries

router = Router(tags=["open data"])


class FileOut(Schema):
    url: str
    bytes: int
    sha256: str


class DatasetOut(Schema):
    name: str
    title: str
    description: str
    rows: int
    fields: int
    files: dict[str, FileOut]


class LicenceOut(Schema):
    forum: str
    licence: str
    name: str
    url: str


class PolisFileOut(Schema):
    name: str
    url: str
    bytes: int
    sha256: str


class PolisOut(Schema):
    consultation: str
    files: list[PolisFileOut]


class OpenDataOut(Schema):
    created: str
    zip: str
    descriptor: str
    licences: list[LicenceOut]
    attribution: str
    datasets: list[DatasetOut]
    polis: list[PolisOut]


def _absolute(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url)


@router.get("/opendata", response=OpenDataOut, summary="The open-data datasets, with their files")
def list_datasets(request: HttpRequest) -> dict[str, Any]:
    """Every dataset (title and description in the request's language, rows, the URLs, sizes
    and SHA-256 of its CSV and JSON files), the zip of the whole bundle and its licences."""
    published = publish()
    datasets = []
    for entry in dataset_entries(published):
        name = entry["name"]
        datasets.append(
            {
                "name": name,
                "title": str(entry["title"]),
                "description": str(entry["description"]),
                "rows": entry["rows"],
                "fields": entry["fields"],
                "files": {
                    fmt: {**entry[fmt], "url": _absolute(request, _api_file(name, fmt))}
                    for fmt in ("csv", "json")
                },
            }
        )
    polis = [
        {
            "consultation": p["consultation"],
            "files": [{**f, "url": _absolute(request, f["url"])} for f in p["files"]],
        }
        for p in polis_entries(published)
    ]
    return {
        "created": published.descriptor.get("created", ""),
        "zip": _absolute(request, reverse("opendata:file", args=[ZIP_NAME])),
        "descriptor": _absolute(request, reverse("opendata:file", args=[DESCRIPTOR])),
        "licences": [
            {"forum": f.slug, "licence": f.licence, "name": f.licence_name, "url": f.licence_url}
            for f in licences()
        ],
        "attribution": _("City registry: © GeoNames (geonames.org), CC BY 4.0."),
        "datasets": datasets,
        "polis": polis,
    }


def _api_file(name: str, fmt: str) -> str:
    return reverse("api-v1:opendata_file", kwargs={"dataset": name, "fmt": fmt})


@router.get(
    "/opendata/{dataset}.{fmt}",
    url_name="opendata_file",
    summary="One open-data dataset as CSV or JSON",
)
def dataset_file(request: HttpRequest, dataset: str, fmt: Literal["csv", "json"]) -> FileResponse:
    """The file as the bundle holds it: UTF-8 CSV with a header row, or a JSON array of
    objects; the columns are described in the bundle's ``datapackage.json``."""
    if dataset not in DATASETS:
        raise Http404(_("There is no dataset called “%(name)s”.") % {"name": dataset})
    path = publish().folder / f"{dataset}.{fmt}"
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[f".{fmt}"])
    response["Access-Control-Allow-Origin"] = "*"
    return response
