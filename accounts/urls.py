"""Parents' pages and play mode."""

from allauth.account import views as allauth_views
from django.contrib.auth.views import LogoutView
from django.urls import path
from django.views.generic import RedirectView

from accounts import views
from accounts.permissions import fresh_sign_in_required

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # allauth's own sign-up and sign-in addresses lead to these pages (one sign-in, one slow-down).
    path("accounts/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path(
        "accounts/signup/", RedirectView.as_view(pattern_name="accounts:signup", query_string=True)
    ),
    # A new password: a fresh sign-in first (the password or a code), like every sensitive page.
    path(
        "accounts/password/change/",
        fresh_sign_in_required(allauth_views.password_change),
        name="account_change_password",
    ),
    path("family/", views.family, name="family"),
    path("family/children/add/", views.child_add, name="child_add"),
    path("family/children/<int:child_id>/edit/", views.child_edit, name="child_edit"),
    path("play/", views.play, name="play"),
    path("play/leave/", views.leave_play, name="leave_play"),
    path("play/<int:child_id>/", views.play_pin, name="play_pin"),
]
