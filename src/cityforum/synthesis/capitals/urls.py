"""The capital tags' pages (in the ``synthesis`` namespace, included by ``synthesis/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("capitals/suggest/", views.suggest, name="suggest_capitals"),
    path("capitals/train/", views.train, name="train_capitals"),
    path("capitals/contributions/<int:pk>/", views.confirm, name="confirm_capitals"),
    path(
        "<slug:consultation_slug>/capitals/",
        views.review_capitals_page,
        name="capitals_review",
    ),
]
