"""The opinion map's page (in the ``synthesis`` namespace, included by ``synthesis/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:consultation_slug>/opinion/", views.opinion_map, name="opinion"),
]
