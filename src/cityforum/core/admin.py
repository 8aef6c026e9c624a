from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, DatasetLoad


@admin.register(DatasetLoad)
class DatasetLoadAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "rows", "loaded_at")
    readonly_fields = ("name", "version", "checksum", "rows", "loaded_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "verb", "target_type", "target_id", "actor", "reason")
    list_filter = ("verb", "target_type")
    search_fields = ("verb", "target_id", "reason", "actor__email")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


admin.site.site_header = _("cityforum back office")
admin.site.site_title = _("cityforum back office")
admin.site.index_title = _("The forum, its consultations and its registry")
