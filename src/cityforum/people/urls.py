"""Accounts under /<lang>/accounts/: sign-up, verification, sign-in, password reset, profile,
the person's data and the erasure of their account."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "people"

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("verify-again/", views.resend_verification, name="resend_verification"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="programme:home"), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="people/password_reset_form.html",
            email_template_name="people/password_reset_email.txt",
            subject_template_name="people/password_reset_subject.txt",
            success_url=reverse_lazy("people:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="people/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="people/password_reset_confirm.html",
            success_url=reverse_lazy("people:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="people/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/cities/", views.city_choices, name="city_choices"),
    path("profile/tokens/", views.create_token, name="create_token"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("profile/data/", views.my_data, name="my_data"),
    path("profile/data/download/", views.download_data, name="download_data"),
    path("profile/erase/", views.erase_account, name="erase_account"),
]
