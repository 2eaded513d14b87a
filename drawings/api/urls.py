from django.urls import path

from drawings.api import suggestions, views

app_name = "api"

urlpatterns = [
    path("drawings/", views.DrawingListCreateView.as_view(), name="drawing-list"),
    path("drawings/<int:pk>/", views.DrawingDetailView.as_view(), name="drawing-detail"),
    path("drawings/<int:pk>/retry/", views.DrawingRetryView.as_view(), name="drawing-retry"),
    path("drawings/<int:pk>/sketch.png", views.DrawingSketchView.as_view(), name="drawing-sketch"),
    path(
        "drawings/<int:pk>/picture.png",
        views.DrawingPictureView.as_view(),
        name="drawing-picture",
    ),
    path(
        "drawings/<int:pk>/new-colours/", views.NewColoursView.as_view(), name="drawing-new-colours"
    ),
    path(
        "drawings/<int:pk>/show-version/",
        views.ShowVersionView.as_view(),
        name="drawing-show-version",
    ),
    path(
        "drawings/<int:pk>/versions/<int:number>.png",
        views.DrawingVersionView.as_view(),
        name="drawing-version",
    ),
    path(
        "drawings/<int:pk>/show-a-grownup/",
        views.ShowAGrownupView.as_view(),
        name="drawing-show-a-grownup",
    ),
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("suggestions/", suggestions.SuggestionView.as_view(), name="suggestion-list"),
]
