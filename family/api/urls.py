"""The parents' side of the REST API: the family, its children, their drawings."""

from django.urls import path

from family.api import views

app_name = "family_api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("children/", views.ChildListCreateView.as_view(), name="child-list"),
    path("children/avatars/", views.AvatarListView.as_view(), name="avatar-list"),
    path("children/<int:pk>/", views.ChildDetailView.as_view(), name="child-detail"),
    path("children/<int:pk>/pin/", views.ChildPinView.as_view(), name="child-pin"),
    path(
        "children/<int:pk>/withdraw-consent/",
        views.WithdrawConsentView.as_view(),
        name="child-withdraw-consent",
    ),
    path("family/drawings/", views.FamilyDrawingListView.as_view(), name="drawing-list"),
    path(
        "family/drawings/<int:pk>/", views.FamilyDrawingDetailView.as_view(), name="drawing-detail"
    ),
    path(
        "family/drawings/<int:pk>/hide/", views.FamilyDrawingHideView.as_view(), name="drawing-hide"
    ),
    path(
        "family/drawings/<int:pk>/show/", views.FamilyDrawingShowView.as_view(), name="drawing-show"
    ),
    path(
        "family/drawings/<int:pk>/sketch/",
        views.DrawingSketchView.as_view(),
        name="drawing-sketch",
    ),
    path(
        "family/drawings/<int:pk>/picture/",
        views.DrawingPictureView.as_view(),
        name="drawing-picture",
    ),
    path("family/export/", views.FamilyExportView.as_view(), name="export"),
]
