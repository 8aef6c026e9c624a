"""Forms of the account pages. They only collect input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from cityforum.cities.models import City, Country

from .models import Organisation


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("Shown with what you contribute. Leave empty to appear as “Participant n”."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("I have read what is public and what is not, and I agree."),
        error_messages={"required": _("Please accept what the forum makes public.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the e-mail as the login, in any case."""

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()


class ProfileForm(forms.Form):
    """The profile, with an optional new organisation and two city searches.

    Cities are chosen among search results (radio buttons named ``city`` and
    ``new_organisation_city``), so the form accepts any city id of the registry.
    """

    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=())
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, widget=forms.HiddenInput
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.select_related("country"),
        required=False,
        empty_label=_("(none, or a new one below)"),
    )
    organisation_role = forms.CharField(
        label=_("Your role in the organisation"), max_length=100, required=False
    )
    new_organisation_name = forms.CharField(
        label=_("Name of the new organisation"), max_length=200, required=False
    )
    new_organisation_kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "—"), *Organisation.Kind.choices], required=False
    )
    new_organisation_country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), required=False
    )
    new_organisation_city = forms.ModelChoiceField(
        label=_("City of the organisation"),
        queryset=City.objects.all(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [
            (code, {"fr": "Français", "en": "English", "es": "Español"}.get(code, code))
            for code, _name in settings.LANGUAGES
        ]

    @property
    def wants_new_organisation(self) -> bool:
        return bool(self.cleaned_data.get("new_organisation_name"))


CHOOSE_CONTRIBUTIONS = _("Choose whether your contributions are deleted or kept anonymised.")


class EraseAccountForm(forms.Form):
    """Erasing an account: the password again, and what becomes of what the person wrote."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your password to erase your account.")},
    )
    contributions = forms.ChoiceField(
        label=_("What you wrote"),
        widget=forms.RadioSelect,
        choices=[
            (
                "anonymise",
                _("Keep my contributions and comments, anonymised: they read “former participant”"),
            ),
            ("delete", _("Delete my contributions and comments")),
        ],
        error_messages={"required": CHOOSE_CONTRIBUTIONS, "invalid_choice": CHOOSE_CONTRIBUTIONS},
    )
