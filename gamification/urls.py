from django.urls import path

from gamification import api, views

app_name = "gamification"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("api/v1/progress/", api.ProgressView.as_view(), name="api-progress"),
    path("api/v1/achievements/", api.AchievementListView.as_view(), name="api-achievements"),
    path("api/v1/quests/", api.QuestListView.as_view(), name="api-quests"),
]
