"""Parents' pages and play mode."""

from django.contrib.auth.views import LogoutView
from django.urls import path
from django.views.generic import RedirectView

from accounts import views

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
    path("family/", views.family, name="family"),
    path("family/children/add/", views.child_add, name="child_add"),
    path("family/children/<int:child_id>/edit/", views.child_edit, name="child_edit"),
    path("play/", views.play, name="play"),
    path("play/leave/", views.leave_play, name="leave_play"),
    path("play/<int:child_id>/", views.play_pin, name="play_pin"),
]
