from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("shared/<str:token>/", views.shared_page, name="page"),
    path("shared/<str:token>/picture.png", views.shared_image, {"which": "result"}, name="picture"),
    path("shared/<str:token>/sketch.png", views.shared_image, {"which": "sketch"}, name="sketch"),
    path("shared/<str:token>/report/", views.report, name="report"),
]
