from django.urls import path

from . import views

app_name = "synthesis"

urlpatterns = [
    path("<slug:consultation_slug>/opinion/", views.opinion_map, name="opinion"),
]
