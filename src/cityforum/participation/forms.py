"""Plain HTML forms of the participation pages; the services do the real validation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityforum.people.models import Organisation
from cityforum.programme.models import Capital

from .models import BODY_MAX, COMMENT_MAX, LANGUAGES, REASON_MAX, TITLE_MAX, Contribution


class ContributionForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=Contribution.Type.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, strip=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; *emphasis*, **bold**, lists and links are allowed."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("detect it for me")), *LANGUAGES],
    )
    capitals = forms.MultipleChoiceField(
        label=_("Capitals (1 to 3)"),
        choices=Capital.Code.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class WorkshopMinutesForm(ContributionForm):
    meeting_name = forms.CharField(label=_("Meeting"), max_length=200)
    meeting_date = forms.DateField(
        label=_("Meeting date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=200)
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.all()
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, strip=False)
