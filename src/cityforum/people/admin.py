from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, Organisation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "moderated_regions")
    search_fields = ("email", "first_name", "last_name")
    filter_horizontal = ("moderated_regions", "groups", "user_permissions")
    autocomplete_fields = ("organisation", "city")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Person"),
            {
                "fields": (
                    "display_name",
                    "first_name",
                    "last_name",
                    "preferred_language",
                    "organisation",
                    "organisation_role",
                    "city",
                )
            },
        ),
        (_("Role"), {"fields": ("role", "moderated_regions", "is_active", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    search_fields = ("user__email", "prefix")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "country", "city", "verified")
    list_filter = ("kind", "verified", "country__section")
    search_fields = ("name",)
    autocomplete_fields = ("country", "city")
    # Verification is changed through the actions only, so that every change is audited.
    readonly_fields = ("verified",)
    actions = ["mark_verified", "mark_unverified"]

    @admin.action(description=_("Mark as verified"))
    def mark_verified(self, request: Any, queryset: Any) -> None:
        # One service call per organisation: the permission check and the audit log apply.
        for organisation in queryset:
            services.verify_organisation(organisation, by=request.user, verified=True)

    @admin.action(description=_("Mark as not verified"))
    def mark_unverified(self, request: Any, queryset: Any) -> None:
        for organisation in queryset:
            services.verify_organisation(organisation, by=request.user, verified=False)
