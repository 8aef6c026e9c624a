"""Plain HTML forms of the recommendation pages; the services do the real validation (so a
page, the API and the CLI refuse the same things with the same words)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityforum.participation.models import LANGUAGES
from cityforum.programme.models import Capital, Consultation, Region

from .models import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, MAX_TEXT_LENGTH, Addressee, Evidence, Line
from .models import Status as RecommendationStatus


def _component_choices(components: list[dict[str, str]], language: str) -> list[tuple[str, str]]:
    return [(c["code"], c.get(language) or c.get("en") or c["code"]) for c in components]


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One recommendation, in the language you write it in."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=LANGUAGES)
    consultations = forms.MultipleChoiceField(
        label=_("Consultations it comes from"), widget=forms.CheckboxSelectMultiple
    )
    capitals = forms.MultipleChoiceField(
        label=_("Capitals (one or two)"),
        choices=Capital.Code.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    line = forms.ChoiceField(
        label=_("Line of transformation"), choices=Line.choices, widget=forms.RadioSelect
    )
    addressee = forms.ChoiceField(label=_("Addressed to"), choices=Addressee.choices)
    region = forms.ChoiceField(
        label=_("World section (for a regional recommendation)"), required=False
    )
    pact_component = forms.ChoiceField(label=_("Pact for the Future component"))

    def __init__(
        self, *args: Any, components: list[dict[str, str]], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultations"].choices = [
            (str(c.pk), str(c.title)) for c in Consultation.objects.order_by("order", "pk")
        ]
        self.fields["region"].choices = [("", "—")] + [
            (r.code, str(r.name)) for r in Region.objects.filter(kind=Region.Kind.SECTION)
        ]
        self.fields["pact_component"].choices = _component_choices(components, language)


class PromoteForm(RecommendationForm):
    """Promoting keeps the contribution's text, language and consultation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("language", "consultations"):
            del self.fields[name]
        self.fields["text"].required = False
        self.fields["text"].help_text = _("Leave empty to keep the contribution's words.")
        self.fields["capitals"].required = False
        self.fields["capitals"].help_text = _("Leave empty to keep the contribution's capitals.")


class FilterForm(forms.Form):
    capital = forms.ChoiceField(
        label=_("Capital"), required=False, choices=[("", _("all")), *Capital.Code.choices]
    )
    line = forms.ChoiceField(
        label=_("Line of transformation"), required=False, choices=[("", _("all")), *Line.choices]
    )
    addressee = forms.ChoiceField(
        label=_("Addressed to"), required=False, choices=[("", _("all")), *Addressee.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), *RecommendationStatus.choices],
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=RecommendationStatus.choices)
    reason = forms.CharField(label=_("Public reason"), max_length=MAX_REASON_LENGTH)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=Evidence.Kind.choices)
    source = forms.IntegerField(
        label=_("Number of the source"),
        min_value=1,
        help_text=_(
            "The contribution, the article, the themes run or the opinion map run (its number)."
        ),
    )
    key = forms.CharField(
        label=_("Which one in it"),
        required=False,
        max_length=120,
        help_text=_(
            "A theme or trend: the theme number; a specificity: region:kind:key; a consensus "
            "statement: the statement number."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE_LENGTH)


class TranslationForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", "Français"), ("en", "English"), ("es", "Español")]
    )
    text = forms.CharField(
        label=_("Translation"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
