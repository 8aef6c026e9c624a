from django.urls import path

from . import views

app_name = "participation"

urlpatterns = [
    path("consultations/<slug:slug>/", views.contribution_list, name="list"),
    path("consultations/<slug:slug>/contribute/", views.contribute, name="contribute"),
    path("consultations/<slug:slug>/workshop/", views.workshop_minutes, name="workshop"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution"),
    path("contributions/<int:pk>/edit/", views.edit, name="edit"),
    path("contributions/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("contributions/<int:pk>/comment/", views.comment, name="comment"),
    path("contributions/<int:pk>/report/", views.report, name="report"),
    path("contributions/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("comments/<int:pk>/moderate/", views.moderate_comment, name="moderate_comment"),
    path("moderation/", views.moderation_queue, name="queue"),
]
