from django.urls import path

from . import views

app_name = "demo"

urlpatterns = [
    path("about/", views.about, name="about"),
]
