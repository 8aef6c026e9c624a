"""Back office for recommendations: organisers read everything here. Every change of content,
status, evidence and endorsement goes through the pages or the API (services), which validate,
log and audit it; the admin is read-only so that nothing bypasses them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Evidence, Recommendation, RecommendationEndorsement, StatusChange


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(ReadOnly, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("kind", "source_id", "key", "label", "language", "count", "added_by", "created_at")
    readonly_fields = fields


class StatusChangeInline(ReadOnly, admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ("from_status", "to_status", "reason", "actor", "at")
    readonly_fields = fields


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("pk", "__str__", "status", "line", "addressee", "language", "version")
    list_filter = ("status", "line", "addressee", "capitals", "language")
    search_fields = ("text", "text_fr", "text_en", "text_es")
    inlines = [EvidenceInline, StatusChangeInline]


@admin.register(RecommendationEndorsement)
class EndorsementAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("recommendation", "person", "constituency", "region", "created_at")
    list_filter = ("constituency", "region")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("recommendation", "kind", "source_id", "key", "label", "count")
    list_filter = ("kind",)
