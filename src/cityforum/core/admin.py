from django.contrib import admin

from .models import DatasetLoad


@admin.register(DatasetLoad)
class DatasetLoadAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "rows", "loaded_at")
    readonly_fields = ("name", "version", "checksum", "rows", "loaded_at")
