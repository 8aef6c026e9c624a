from django.urls import path

from . import views

app_name = "statements"

urlpatterns = [
    path("<slug:slug>/", views.vote_page, name="vote"),
    path("<slug:slug>/propose/", views.propose, name="propose"),
    path("<slug:slug>/moderation/", views.moderation_queue, name="moderation"),
    path("statements/<int:pk>/moderate/", views.moderate, name="moderate"),
]
