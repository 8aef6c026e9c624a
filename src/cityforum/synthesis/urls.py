from django.urls import path

from . import themes_views, views

app_name = "synthesis"

urlpatterns = [
    path("<slug:consultation_slug>/opinion/", views.opinion_map, name="opinion"),
    path("themes/", themes_views.themes_page, name="themes"),
    path("themes/<int:pk>/", themes_views.theme_run_page, name="theme_run"),
    path("themes/<int:pk>/approve/", themes_views.approve_theme_run, name="approve_themes"),
]
