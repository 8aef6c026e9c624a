from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DatasetLoad


@admin.register(DatasetLoad)
class DatasetLoadAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "rows", "loaded_at")
    readonly_fields = ("name", "version", "checksum", "rows", "loaded_at")


admin.site.site_header = _("cityforum back office")
admin.site.site_title = _("cityforum back office")
admin.site.index_title = _("The forum, its consultations and its registry")
