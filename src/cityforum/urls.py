"""Site map. Pages are prefixed by language (/fr/, /en/, /es/); the API and admin are not."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from cityforum.api.urls import api
from cityforum.core import views as core_views

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", include("cityforum.programme.urls")),
    path("cities/", include("cityforum.cities.urls")),
    path("accounts/", include("cityforum.people.urls")),
    path("participate/", include("cityforum.participation.urls")),
    path("vote/", include("cityforum.statements.urls")),
    path("assessments/", include("cityforum.assessments.urls")),
    path("synthesis/", include("cityforum.synthesis.urls")),
    path("drafting/", include("cityforum.drafting.urls")),
    path("recommendations/", include("cityforum.recommendations.urls")),
    path("opendata/", include("cityforum.opendata.urls")),
    path("demo/", include("cityforum.demo.urls")),
    path("", include("cityforum.reports.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    prefix_default_language=True,
)

handler404 = core_views.page_not_found
handler500 = core_views.server_error
