"""The themes' pages and their review (in the ``synthesis`` namespace, included by
``synthesis/urls.py``)."""

from django.urls import path

from . import review_views, views

urlpatterns = [
    path("themes/", views.themes_page, name="themes"),
    path("themes/compute/", views.compute_themes, name="compute_themes"),
    path("themes/<int:pk>/", views.theme_run_page, name="theme_run"),
    path("themes/<int:pk>/approve/", views.approve_theme_run, name="approve_themes"),
    path("themes/<int:pk>/review/", review_views.review_page, name="review_themes"),
    path(
        "themes/<int:pk>/review/<slug:action>/",
        review_views.review_action,
        name="review_action",
    ),
    path(
        "<slug:consultation_slug>/themes/",
        views.consultation_themes_page,
        name="consultation_themes",
    ),
]
