from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.home, name="home"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation"),
    path("capitals/<slug:code>/", views.capital_detail, name="capital"),
    path("regions/<slug:code>/", views.region_detail, name="region"),
]
