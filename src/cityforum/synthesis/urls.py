from django.urls import path

from . import capitals_views, review_views, themes_views, views
from .opinion.live_urls import urlpatterns as live_urlpatterns

app_name = "synthesis"

urlpatterns = [
    path("themes/", themes_views.themes_page, name="themes"),
    path("themes/compute/", themes_views.compute_themes, name="compute_themes"),
    path("themes/<int:pk>/", themes_views.theme_run_page, name="theme_run"),
    path("themes/<int:pk>/approve/", themes_views.approve_theme_run, name="approve_themes"),
    path("themes/<int:pk>/review/", review_views.review_page, name="review_themes"),
    path(
        "themes/<int:pk>/review/<slug:action>/",
        review_views.review_action,
        name="review_action",
    ),
    path("capitals/suggest/", capitals_views.suggest, name="suggest_capitals"),
    path("capitals/train/", capitals_views.train, name="train_capitals"),
    path("capitals/contributions/<int:pk>/", capitals_views.confirm, name="confirm_capitals"),
    path("<slug:consultation_slug>/opinion/", views.opinion_map, name="opinion"),
    path(
        "<slug:consultation_slug>/themes/",
        themes_views.consultation_themes_page,
        name="consultation_themes",
    ),
    path(
        "<slug:consultation_slug>/capitals/",
        capitals_views.review_capitals_page,
        name="capitals_review",
    ),
]
urlpatterns += live_urlpatterns  # the live opinion map (issue 16)
