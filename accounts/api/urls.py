from django.urls import path

from accounts.api import headless_spec, views

urlpatterns = [
    path("auth/signup/", views.SignUpView.as_view(), name="auth-signup"),
    # allauth's headless API (mounted at auth/app/ by icanvas_site/urls.py) described apart.
    path("auth/app/openapi.json", headless_spec.headless_openapi, name="auth-app-openapi"),
    path("auth/signin/", views.SignInView.as_view(), name="auth-signin"),
    path("auth/signout/", views.SignOutView.as_view(), name="auth-signout"),
    path(
        "auth/signout-everywhere/", views.SignOutEverywhereView.as_view(), name="auth-signout-all"
    ),
    path("auth/password/", views.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/reauthenticate/", views.ReauthenticateView.as_view(), name="auth-reauthenticate"),
    path("auth/devices/", views.DeviceListView.as_view(), name="auth-device-list"),
    path(
        "auth/devices/<uuid:public_id>/",
        views.DeviceDetailView.as_view(),
        name="auth-device-detail",
    ),
    path("children/<int:pk>/play/", views.PlayView.as_view(), name="child-play"),
    path("play/leave/", views.LeavePlayView.as_view(), name="play-leave"),
]
