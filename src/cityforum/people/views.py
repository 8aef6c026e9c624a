"""Account pages: sign-up, e-mail verification, sign-in with limits, the profile, tokens,
the person's data (download) and the erasure of their account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.cities.search import search_cities

from . import privacy, services, throttle
from .forms import EraseAccountForm, LoginForm, ProfileForm, SignUpForm
from .models import ApiToken, User

MAX_CITY_QUERY = 100
CITY_CHOICES = 10


def set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


def in_language(url: str, language: str) -> str:
    """``url`` in ``language``: /en/cities/ becomes /fr/cities/.

    Django resolves the path under the active language only, so resolve it under the
    language of its own prefix (as ``core.views.set_language`` does).
    """
    own = translation.get_language_from_path(urlsplit(url).path)
    if not own:
        return url
    with translation.override(own):
        return translate_url(url, language)


def _verification_link(request: HttpRequest) -> Any:
    return lambda token: request.build_absolute_uri(reverse("people:verify", args=[token]))


def _add_errors(form: Any, error: ValidationError) -> None:
    """Put each message of a service's error beside the field it is about."""
    fields = {"duplicate": "email", "email": "email", "consent": "consent"}
    for item in error.error_list:
        code = item.code or ""
        field = fields.get(code) or ("password1" if code.startswith("password") else None)
        form.add_error(field if field in form.fields else None, item)


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("people:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_up(
                data["email"],
                data["password1"],
                consent=data["consent"],
                display_name=data["display_name"],
                language=translation.get_language(),
                link_for=_verification_link(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render(request, "people/signup_done.html", {"email": data["email"]})
    status = 400 if form.errors else 200
    return render(request, "people/signup.html", {"form": form}, status=status)


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.verify_email(token)
    except ValidationError as error:
        context = {"error": " ".join(error.messages)}
        return render(request, "people/verify.html", context, status=400)
    return render(request, "people/verify.html", {"verified_user": user})


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.email_verified:  # type: ignore[union-attr]
        services.send_verification_email(user, _verification_link(request))  # type: ignore[arg-type]
        messages.success(
            request, _("We sent a new verification link to %(email)s.") % {"email": user.email}
        )
    return redirect("people:profile")


class LoginView(auth_views.LoginView):
    """Django's sign-in, refused for a while after too many failures, in the person's language."""

    template_name = "people/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("username", "")
        if throttle.login_refused(request, email):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed attempts to sign in. Wait a minute, then try again."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        throttle.count_failed_login(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        language = form.get_user().preferred_language
        translation.activate(language)
        self.request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = super().form_valid(form)
        if isinstance(response, HttpResponseRedirect):
            response["Location"] = in_language(response["Location"], language)
        if not form.get_user().email_verified:
            messages.warning(self.request, _("Please verify your e-mail address."))
        return set_language_cookie(response, language)


def _city_choices(query: str, country: str | None = None) -> tuple[list[Any], str]:
    query = query.strip()
    if len(query) > MAX_CITY_QUERY:
        return [], _("Type at most %(n)d characters.") % {"n": MAX_CITY_QUERY}
    if not query:
        return [], ""
    return list(search_cities(query, country)[:CITY_CHOICES]), ""


def city_choices(request: HttpRequest) -> HttpResponse:
    """The fragment of city radio buttons that htmx swaps in as the person types."""
    field = request.GET.get("field", "city")
    if field not in ("city", "new_organisation_city"):
        field = "city"
    query = request.GET.get(f"{field}_q", "")
    results, error = _city_choices(query)
    context = {"field": field, "query": query.strip(), "results": results, "error": error}
    return render(request, "people/_city_choices.html", context)


def _profile_page(request: HttpRequest, form: ProfileForm, **extra: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    searches = {}
    for field in ("city", "new_organisation_city"):
        query = request.POST.get(f"{field}_q", "") if request.method == "POST" else ""
        results, error = _city_choices(query)
        searches[field] = {"query": query.strip(), "results": results, "error": error}
    context = {
        "form": form,
        "searches": searches,
        "tokens": user.api_tokens.order_by("-created_at"),
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "people/profile.html", context, status=status)


def _initial(user: User) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "preferred_language": user.preferred_language,
        "city": user.city_id,
        "organisation": user.organisation_id,
        "organisation_role": user.organisation_role,
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method != "POST":
        return _profile_page(request, ProfileForm(initial=_initial(user)))
    form = ProfileForm(request.POST)
    if "find_city" in request.POST or not form.is_valid():
        # A search without JavaScript: show the choices, save nothing yet.
        return _profile_page(request, form)
    data = form.cleaned_data
    try:
        # One page, one change: a new organisation is only kept with the profile naming it.
        with transaction.atomic():
            organisation = data["organisation"]
            if form.wants_new_organisation:
                organisation = services.create_organisation(
                    name=data["new_organisation_name"],
                    kind=data["new_organisation_kind"],
                    country=data["new_organisation_country"],
                    city=data["new_organisation_city"],
                    by=user,
                )
            services.update_profile(
                user,
                display_name=data["display_name"],
                preferred_language=data["preferred_language"],
                city=data["city"],
                organisation=organisation,
                organisation_role=data["organisation_role"],
            )
    except ValidationError as error:
        user.refresh_from_db()
        form.add_error(None, error)
        return _profile_page(request, form)
    messages.success(request, _("Your profile is saved."))
    url = in_language(reverse("people:profile"), user.preferred_language)
    return set_language_cookie(redirect(url), user.preferred_language)


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    _record, token = services.issue_api_token(request.user)  # type: ignore[arg-type]
    form = ProfileForm(initial=_initial(request.user))  # type: ignore[arg-type]
    # Shown in this answer only: the token is never stored in clear, not even in a session.
    return _profile_page(request, form, new_token=token)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id)
    services.revoke_api_token(token, by=request.user)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("people:profile")


# --- The person's data ---------------------------------------------------------------


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What the forum holds about the person, what is public, and the way out."""
    user: User = request.user  # type: ignore[assignment]
    return render(request, "people/my_data.html", {"summary": privacy.summary(user)})


@login_required
def download_data(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    data = privacy.export_personal_data(user, by=user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="cityforum-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


_ERASE_FIELDS = {"password": "password", "contributions": "contributions"}


@login_required
def erase_account(request: HttpRequest) -> HttpResponse:
    """Erase the account after the password is typed again; then the person is signed out.

    Wrong passwords count as failed sign-ins, so a stolen session cannot guess the
    password here faster than on the sign-in page.
    """
    user: User = request.user  # type: ignore[assignment]
    form = EraseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = user.email
        if throttle.login_refused(request, email):
            form.add_error(
                None, _("Too many failed attempts to sign in. Wait a minute, then try again.")
            )
            return render(request, "people/erase.html", {"form": form}, status=429)
        try:
            privacy.erase_account(
                user,
                password=form.cleaned_data["password"],
                contributions=form.cleaned_data["contributions"],
                by=user,
            )
        except ValidationError as error:
            if error.code == "password":
                throttle.count_failed_login(request, email)
            form.add_error(_ERASE_FIELDS.get(error.code or ""), error)
        else:
            logout(request)
            return render(request, "people/erased.html")
    status = 400 if form.errors else 200
    return render(request, "people/erase.html", {"form": form}, status=status)
