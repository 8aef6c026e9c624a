"""Pages of the assessments app: the framework, an assessment, CSV import and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cityforum.core.numbers import parse_id

from . import charts, services, summaries
from .forms import ANCHORS, AgendaForm, ImportForm, ProjectAssessmentForm
from .models import Assessment, Indicator

SUBJECT_FIELDS = ("title", "year", "city", "agenda", "budget")


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
            "can_assess": request.user.has_perm("assessments.create_assessment"),
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
            "can_assess": request.user.has_perm("assessments.create_assessment"),
        },
    )


def new_project(request: HttpRequest) -> HttpResponse:
    """The 0–5 self-assessment of a project on the five capitals, for organisers and moderators.

    The form parses; :func:`services.assess_project` decides, and its messages are shown next
    to the fields they name. Nothing is written unless every capital passes.
    """
    if not request.user.has_perm("assessments.create_assessment"):
        raise PermissionDenied
    initial: dict[str, int] = {}
    agenda = parse_id(str(request.GET.get("agenda", "")))
    if request.method != "POST" and agenda is not None:
        initial["agenda"] = agenda
    form = ProjectAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.assess_project(
                data["title"],
                data["year"],
                form.capitals(),
                by=request.user,
                city=data["city"],
                agenda=data["agenda"],
                budget=data["budget"],
            )
        except ValidationError as error:
            form.add_service_errors(error.messages)
        else:
            messages.success(request, _("The project's self-assessment is recorded."))
            return redirect("assessments:detail", pk=project.pk)
    return render(
        request,
        "assessments/project_form.html",
        {"form": form, "anchors": ANCHORS, "subject_fields": SUBJECT_FIELDS},
        status=400 if form.errors else 200,
    )


def new_agenda(request: HttpRequest) -> HttpResponse:
    """Open a local agenda; its projects are then added with the project form."""
    if not request.user.has_perm("assessments.create_assessment"):
        raise PermissionDenied
    form = AgendaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agenda = services.create_agenda(
                data["title"], data["year"], by=request.user, city=data["city"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The local agenda is open: add its projects."))
            return redirect("assessments:detail", pk=agenda.pk)
    return render(
        request,
        "assessments/agenda_form.html",
        {"form": form},
        status=400 if form.errors else 200,
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
