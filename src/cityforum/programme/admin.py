"""The back office for organisers. Status moves go through the service, never a free edit."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Capital, Consultation, Forum, ReferenceDocument, Region, Status, StatusChange


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "changed_at", "changed_by", "note")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _move_action(target: str) -> object:
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Consultation]
    ) -> None:
        for consultation in queryset:
            try:
                services.change_status(consultation, target, by=request.user)
            except ValidationError as error:
                modeladmin.message_user(
                    request, f"{consultation}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                modeladmin.message_user(
                    request,
                    _("%(c)s is now %(s)s.") % {"c": consultation, "s": Status(target).label},
                    messages.SUCCESS,
                )

    action.__name__ = f"move_to_{target}"
    action.short_description = _("Move to “%(status)s”") % {"status": Status(target).label}  # type: ignore[attr-defined]
    return action


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title_fr", "kind", "date", "region", "status")
    list_filter = ("kind", "status", "region", "capitals", "forum")
    search_fields = ("title_fr", "title_en", "title_es", "slug")
    filter_horizontal = ("capitals",)
    readonly_fields = ("status",)
    inlines = [StatusChangeInline]
    actions = [_move_action(s) for s in Status.values if s != Status.PLANNED]


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "edition", "host", "starts_on", "ends_on")


@admin.register(Capital)
class CapitalAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "name_en", "name_es", "order")
    readonly_fields = ("code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # exactly five capitals exist

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "name_en", "name_es", "kind", "order")


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(admin.ModelAdmin):
    list_display = ("title_fr", "year", "forum")


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("consultation", "from_status", "to_status", "changed_at", "changed_by")
    list_filter = ("to_status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
