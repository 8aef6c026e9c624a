"""Forms of the assessments app: CSV upload, local agendas and project self-assessments."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cityforum.analysis.capitals import CAPITALS
from cityforum.cities.models import City

from .models import CAPITAL_CHOICES, Assessment, Confidence
from .services import EVIDENCE_FROM, MAX_YEAR, MIN_YEAR, CapitalInput

MAX_UPLOAD = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: city,indicator,year,value,source,confidence (city = GeoNames id)."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


#: resilience.md §6.2: the UNDRR-style anchors of the 0–5 project self-assessment.
ANCHORS: tuple[tuple[int, Any, Any], ...] = (
    (0, _("Not addressed"), _("no link to this capital identified.")),
    (1, _("Acknowledged"), _("named in the documents; no activity or budget.")),
    (
        2,
        _("Planned"),
        _("activities and an indicator with a baseline defined; funding not secured."),
    ),
    (
        3,
        _("Implemented"),
        _("funded activities under way; outputs measured; reaches part of the target group."),
    ),
    (
        4,
        _("Effective"),
        _(
            "outcomes measured against the baseline; women, youth and vulnerable groups took "
            "part in design and monitoring."
        ),
    ),
    (
        5,
        _("Transformative"),
        _(
            "results sustained and evaluated; embedded in local policy or budget; replicated; "
            "co-benefits documented."
        ),
    ),
)


_EVIDENCE_HELP = _("Evidence is required from 3 up.")


def _score_choices() -> list[tuple[Any, Any]]:
    choices: list[tuple[Any, Any]] = [("", _("— choose a score —"))]
    choices += [(n, format_lazy("{} — {}", n, name)) for n, name, _description in ANCHORS]
    return choices


def _anchor_help() -> Any:
    """The six anchors in one line, then the evidence rule."""
    parts = [format_lazy("{} {}: {}", n, name, text) for n, name, text in ANCHORS]
    return format_lazy("{} · {} · {} · {} · {} · {} {}", *parts, _EVIDENCE_HELP)


def _city_by_geonameid(value: int | None) -> City | None:
    if value is None:
        return None
    city = City.objects.filter(pk=value).first()
    if city is None:
        raise forms.ValidationError(
            _("No city has the GeoNames id %(id)d."), params={"id": value}, code="unknown"
        )
    return city


class _SubjectForm(forms.Form):
    """Title, year and (optionally) city: what projects and local agendas have in common."""

    title = forms.CharField(label=_("title"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    city = forms.IntegerField(
        label=_("city (GeoNames id)"),
        required=False,
        help_text=_("Optional: the number in the address of the city's page."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.now().year

    def clean_city(self) -> City | None:
        return _city_by_geonameid(self.cleaned_data.get("city"))


class AgendaForm(_SubjectForm):
    """A local agenda: its profile is the budget-weighted mean of the projects it holds."""


class ProjectAssessmentForm(_SubjectForm):
    """The 0–5 self-assessment of a project on each capital (resilience.md §6.2).

    The form only parses; the rules (all five capitals, evidence from 3 up, budget) are the
    service's, and :meth:`add_service_errors` puts its messages next to the fields they are about.
    """

    agenda = forms.ModelChoiceField(
        label=_("local agenda"),
        queryset=Assessment.objects.none(),
        required=False,
        help_text=_("Optional: the local agenda this project belongs to."),
    )
    budget = forms.DecimalField(
        label=_("budget"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("Optional: weights the project in its local agenda's profile."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda"].queryset = Assessment.objects.filter(  # type: ignore[attr-defined]
            kind=Assessment.Kind.AGENDA
        ).order_by("-year", "title", "-version")
        for code, name in CAPITAL_CHOICES:
            self.fields[f"{code}_score"] = forms.TypedChoiceField(
                label=format_lazy("{} — {}", name, _("score (0–5)")),
                choices=_score_choices(),
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_anchor_help(),
            )
            self.fields[f"{code}_evidence"] = forms.CharField(
                label=format_lazy("{} — {}", name, _("evidence")),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_EVIDENCE_HELP,
            )
            self.fields[f"{code}_confidence"] = forms.ChoiceField(
                label=format_lazy("{} — {}", name, _("confidence")),
                choices=Confidence.choices,
                initial=Confidence.MEDIUM,
            )
            self.fields[f"{code}_adverse"] = forms.BooleanField(
                label=format_lazy("{} — {}", name, _("adverse effect")),
                required=False,
                help_text=_("Do no significant harm: a flagged capital counts at most 1."),
            )

    def capital_groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The four fields of each capital, for the template's fieldsets."""
        return [
            (
                name,
                [self[f"{code}_{part}"] for part in ("score", "evidence", "confidence", "adverse")],
            )
            for code, name in CAPITAL_CHOICES
        ]

    def capitals(self) -> dict[str, CapitalInput]:
        """The scored capitals; a capital left without a score is left out (the service says so)."""
        data = self.cleaned_data
        return {
            code: CapitalInput(
                score=data[f"{code}_score"],
                evidence=data.get(f"{code}_evidence", ""),
                confidence=data.get(f"{code}_confidence") or Confidence.MEDIUM,
                adverse_effect=bool(data.get(f"{code}_adverse")),
            )
            for code in CAPITALS
            if data.get(f"{code}_score") is not None
        }

    def add_service_errors(self, messages: list[str]) -> None:
        """Show the service's translated messages next to the capital they name.

        Every message about one capital starts with its code (in each language); a 3 or more
        without evidence belongs to the evidence field, anything else to the score. The message
        listing missing capitals goes to each of them. The rest is shown above the form.
        """
        scored = self.capitals()
        missing = [code for code in CAPITALS if code not in scored]
        for message in messages:
            field = None
            for code in CAPITALS:
                if re.match(rf"{code}\s*:", message):
                    item = scored.get(code)
                    needs = item is not None and item.score >= EVIDENCE_FROM
                    part = "evidence" if needs and not str(item.evidence).strip() else "score"
                    field = f"{code}_{part}"
                    break
            named = [code for code in missing if re.search(rf"\b{code}\b", message)]
            if field is None and named:
                for code in named:
                    self.add_error(f"{code}_score", message)
            else:
                self.add_error(field, message)
