"""The parents' side of the REST API: the family, its children, their drawings."""

from django.urls import path

from family.api.views import children, drawings, files, me

app_name = "family_api"

urlpatterns = [
    path("me/", me.MeView.as_view(), name="me"),
    path("children/", children.ChildListCreateView.as_view(), name="child-list"),
    path("children/avatars/", children.AvatarListView.as_view(), name="avatar-list"),
    path("children/<int:pk>/", children.ChildDetailView.as_view(), name="child-detail"),
    path("children/<int:pk>/pin/", children.ChildPinView.as_view(), name="child-pin"),
    path(
        "children/<int:pk>/withdraw-consent/",
        children.WithdrawConsentView.as_view(),
        name="child-withdraw-consent",
    ),
    path("family/drawings/", drawings.FamilyDrawingListView.as_view(), name="drawing-list"),
    path(
        "family/drawings/<int:pk>/",
        drawings.FamilyDrawingDetailView.as_view(),
        name="drawing-detail",
    ),
    path(
        "family/drawings/<int:pk>/hide/",
        drawings.FamilyDrawingHideView.as_view(),
        name="drawing-hide",
    ),
    path(
        "family/drawings/<int:pk>/show/",
        drawings.FamilyDrawingShowView.as_view(),
        name="drawing-show",
    ),
    path(
        "family/drawings/<int:pk>/sketch/",
        files.DrawingSketchView.as_view(),
        name="drawing-sketch",
    ),
    path(
        "family/drawings/<int:pk>/picture/",
        files.DrawingPictureView.as_view(),
        name="drawing-picture",
    ),
    path("family/export/", files.FamilyExportView.as_view(), name="export"),
]
