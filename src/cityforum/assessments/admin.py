"""The back office: organisers edit the framework; goalposts change only through the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from . import services
from .models import Assessment, Indicator, IndicatorValue, SelfAssessment


class IndicatorForm(forms.ModelForm):
    reason = forms.CharField(required=False, max_length=500)

    class Meta:
        model = Indicator
        fields = ("code", "capital", *services.EDITABLE_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        problems = services.goalpost_problems(
            data.get("kind", ""),
            data.get("worst"),
            data.get("best"),
            data.get("target"),
            data.get("tolerance"),
        )
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorForm
    list_display = ("code", "capital", "name_en", "unit", "kind", "worst", "best", "version")
    list_filter = ("capital", "kind")
    search_fields = ("code", "name_fr", "name_en", "name_es")
    readonly_fields = ("version",)

    def save_model(self, request: HttpRequest, obj: Indicator, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_FIELDS
        }
        original = Indicator.objects.get(pk=obj.pk)
        services.update_indicator(
            original, by=request.user, reason=form.cleaned_data.get("reason", ""), **changes
        )
        obj.version = original.version


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    readonly_fields = ("indicator", "value", "normalised", "source", "confidence")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SelfAssessmentInline(admin.TabularInline):
    model = SelfAssessment
    extra = 0
    readonly_fields = ("capital", "score", "evidence", "confidence", "adverse_effect")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: assessments are recorded through the site, the API or a CSV import."""

    list_display = ("__str__", "kind", "year", "version", "bri", "band")
    list_filter = ("kind", "band")
    inlines = (IndicatorValueInline, SelfAssessmentInline)
    readonly_fields = [f.name for f in Assessment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
