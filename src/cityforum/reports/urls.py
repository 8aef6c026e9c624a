from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/forum/", views.forum, name="forum"),
    path("reports/brief/", views.brief, name="brief"),
    path("reports/consultation/<slug:slug>/", views.consultation, name="consultation"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
