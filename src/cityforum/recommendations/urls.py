from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("", views.list_page, name="list"),
    path("new/", views.new_page, name="new"),
    path("balance/", views.balance_page, name="balance"),
    path("suggest/", views.suggest_view, name="suggest"),
    path("promote/<int:contribution_pk>/", views.promote_page, name="promote"),
    path("<int:pk>/", views.detail_page, name="detail"),
    path("<int:pk>/edit/", views.edit_page, name="edit"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/endorse/", views.endorse, name="endorse"),
    path("<int:pk>/evidence/", views.link_evidence, name="link_evidence"),
    path("<int:pk>/translate/", views.translate, name="translate"),
    path("evidence/<int:pk>/remove/", views.unlink_evidence, name="unlink_evidence"),
]
