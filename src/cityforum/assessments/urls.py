from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_values, name="import"),
    path("projects/new/", views.new_project, name="new_project"),
    path("agendas/new/", views.new_agenda, name="new_agenda"),
    path("export.csv", views.export_values, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
]
