from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_values, name="import"),
    path("export.csv", views.export_values, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
]
