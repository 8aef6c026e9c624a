"""The back office: the runs (read-only) and the "Compute the opinion map" action on consultations.

The action is added to the consultation admin that the programme app registers, so the programme
app does not need to know about synthesis (dependencies point one way).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityforum.programme.models import Consultation

from .models import CapitalClassifierModel, CapitalTag, OpinionMapRun, ThemeReview, ThemeRun
from .opinion import services
from .themes import services as themes_services


@admin.action(description=gettext_lazy("Compute the opinion map"))
def compute_opinion_map(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Consultation]
) -> None:
    for consultation in queryset:
        try:
            run = services.run_opinion_map(consultation, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{consultation}: {text}", messages.ERROR)
            continue
        if run.status == OpinionMapRun.Status.DONE:
            modeladmin.message_user(
                request,
                _("%(c)s: opinion map ready, %(k)d groups.")
                % {"c": consultation, "k": run.n_groups},
                messages.SUCCESS,
            )
        else:
            modeladmin.message_user(
                request,
                _("%(c)s: the opinion map is being computed in the background.")
                % {"c": consultation},
                messages.INFO,
            )


@admin.action(description=gettext_lazy("Compute the themes, trends and specificities"))
def compute_themes(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Consultation]
) -> None:
    for consultation in queryset:
        try:
            run = themes_services.run_themes(consultation, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{consultation}: {text}", messages.ERROR)
            continue
        modeladmin.message_user(
            request,
            _("%(c)s: %(k)d themes found; the synthesis awaits approval.")
            % {"c": consultation, "k": run.n_themes},
            messages.SUCCESS,
        )


def add_consultation_action(site: admin.AdminSite = admin.site) -> None:
    """Offer the action on the registered consultation admin (once)."""
    consultation_admin = site._registry.get(Consultation)
    if consultation_admin is None:  # pragma: no cover - the programme app registers it
        return
    actions = list(consultation_admin.actions or [])
    if compute_opinion_map not in actions:
        actions.append(compute_opinion_map)
    if compute_themes not in actions:
        actions.append(compute_themes)
    consultation_admin.actions = actions


add_consultation_action()


@admin.register(OpinionMapRun)
class OpinionMapRunAdmin(admin.ModelAdmin):
    list_display = ("consultation", "status", "progress", "n_votes", "created_at", "finished_at")
    list_filter = ("status", "consultation")
    exclude = ("result", "figures")
    readonly_fields = (
        "consultation",
        "status",
        "error",
        "progress",
        "stage",
        "parameters",
        "seed",
        "input_sha256",
        "n_votes",
        "engine_version",
        "timings",
        "requested_by",
        "created_at",
        "finished_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[OpinionMapRun]:
        return super().get_queryset(request).defer("result", "figures")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are made by the action, the CLI or the background job

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.action(description=gettext_lazy("Approve (make public)"))
def approve_theme_runs(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ThemeRun]
) -> None:
    for run in queryset:
        try:
            themes_services.approve_themes(run, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{run}: {text}", messages.ERROR)
        else:
            modeladmin.message_user(request, _("%(r)s: approved.") % {"r": run}, messages.SUCCESS)


@admin.register(ThemeRun)
class ThemeRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "consultation",
        "status",
        "progress",
        "n_contributions",
        "created_at",
        "approved_by",
        "approved_at",
    )
    list_filter = ("status", "consultation")
    actions = [approve_theme_runs]
    exclude = ("result", "assignment", "reviewed")
    readonly_fields = (
        "consultation",
        "status",
        "progress",
        "stage",
        "error",
        "parameters",
        "seed",
        "input_sha256",
        "n_contributions",
        "engine_version",
        "requested_by",
        "created_at",
        "finished_at",
        "approved_by",
        "approved_at",
        "capitals_profile",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ThemeRun]:
        return super().get_queryset(request).defer("result", "assignment", "reviewed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are made by the action or the CLI

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class _ReadOnly(admin.ModelAdmin):
    """Records written by the services only (review pages, CLI): shown, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ThemeReview)
class ThemeReviewAdmin(_ReadOnly):
    list_display = ("run", "action", "by", "created_at", "undone_at")
    list_filter = ("action",)


@admin.register(CapitalTag)
class CapitalTagAdmin(_ReadOnly):
    list_display = ("contribution", "capitals", "source", "confirmed_by", "confirmed_at")
    list_filter = ("source",)
    raw_id_fields = ("contribution",)


@admin.register(CapitalClassifierModel)
class CapitalClassifierModelAdmin(_ReadOnly):
    list_display = ("created_at", "n_contributions", "n_examples", "weight", "trained_by")
    exclude = ("blob",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CapitalClassifierModel]:
        return super().get_queryset(request).defer("blob")
