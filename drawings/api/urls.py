from django.urls import path

from drawings.api import suggestions, views

app_name = "api"

urlpatterns = [
    path("drawings/", views.DrawingListCreateView.as_view(), name="drawing-list"),
    path("drawings/<int:pk>/", views.DrawingDetailView.as_view(), name="drawing-detail"),
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("suggestions/", suggestions.SuggestionView.as_view(), name="suggestion-list"),
]
