"""The API at /api/v1/: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from cityforum import __version__
from cityforum.opendata.api import router as opendata_router

from . import (
    accounts,
    assessments,
    cities,
    drafting,
    live_map,
    participation,
    problems,
    programme,
    recommendations,
    statements,
    synthesis,
)
from .auth import TokenAuth

api = NinjaAPI(
    title="cityforum API",
    version="1",
    description=(
        "The consultation of the World Forum of Intermediary Cities. Errors are "
        "application/problem+json (RFC 9457). Reads are public; writes need a bearer token "
        "from `cityforum users token`."
    ),
    urls_namespace="api-v1",
)
problems.install(api)
api.add_router("/", programme.router)
api.add_router("/", cities.router)
api.add_router("/", accounts.router)
api.add_router("/", participation.router)
api.add_router("/", statements.router)
api.add_router("/", assessments.router)
api.add_router("/", synthesis.router)
api.add_router("/", live_map.router)
api.add_router("/", drafting.router)
api.add_router("/", recommendations.router)
api.add_router("/", opendata_router)

#: Authentication available to write endpoints added by later apps.
token_auth = TokenAuth()


class Health(Schema):
    status: str
    version: str


@api.get("/health", response=Health, tags=["meta"], summary="Liveness check (a no-op)")
def health(request: HttpRequest) -> Health:
    return Health(status="ok", version=__version__)
