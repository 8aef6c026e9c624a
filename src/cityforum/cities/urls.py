from django.urls import path

from . import views

app_name = "cities"

urlpatterns = [
    path("", views.city_search, name="search"),
    path("world/", views.world, name="world"),
    path("compare/", views.compare, name="compare"),
    path("sections/<slug:code>/", views.section_cities, name="section"),
    path("<int:geonameid>/", views.city_detail, name="city"),
]
