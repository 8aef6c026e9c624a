"""Pages of the assessments app: the framework, an assessment, CSV import and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import charts, services, summaries
from .forms import ImportForm
from .models import Assessment, Indicator


def index(request: HttpRequest) -> HttpResponse:
    latest = services.latest_city_assessments().select_related("city", "city__country")[:200]
    others = Assessment.objects.exclude(kind=Assessment.Kind.CITY).select_related("city")[:200]
    return render(
        request,
        "assessments/index.html",
        {
            "latest": latest,
            "others": others,
            "indicators": Indicator.objects.all(),
            "capital_names": summaries.capital_names(),
            "can_import": request.user.has_perm("assessments.import_values"),
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("city", "agenda"), pk=pk)
    if assessment.kind == Assessment.Kind.CITY:
        return redirect("cities:city", geonameid=assessment.city_id)
    names = summaries.capital_names()
    series = [("self", str(assessment), assessment.scores)]
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "self_scores": assessment.self_scores.all(),
            "projects": assessment.projects.all(),
            "radar": charts.radar(series, names),
            "score_table": summaries.score_rows([(str(assessment), assessment.scores)], names),
            "series_labels": [str(assessment)],
            "capital_names": names,
            "steering": services.steering_for(assessment),
        },
    )


def import_values(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("assessments.import_values"):
        raise PermissionDenied
    problems: list[str] = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8")
        except UnicodeDecodeError:
            problems = [_("The file must be UTF-8 text.")]
        else:
            try:
                report = services.import_values_csv(text, by=request.user)
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    _("%(rows)d values imported into %(n)d assessments.")
                    % {"rows": report.rows, "n": len(report.assessments)},
                )
                return redirect("assessments:index")
    return render(
        request,
        "assessments/import.html",
        {"form": form, "problems": problems},
        status=400 if problems or form.errors else 200,
    )


def export_values(request: HttpRequest) -> HttpResponse:
    assessments = services.latest_city_assessments()
    response = HttpResponse(
        services.export_values_csv(assessments), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="indicator-values.csv"'
    return response
