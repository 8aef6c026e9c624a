from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_STATEMENT_LENGTH


class ProposeForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=MAX_STATEMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_STATEMENT_LENGTH}),
        help_text=_(
            "One short sentence others can agree or disagree with (at most 280 characters)."
        ),
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
