from django.urls import path

from gamification import api, views

app_name = "gamification"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("api/v1/progress/", api.ProgressView.as_view(), name="api-progress"),
]
