from django.urls import path

from drawings import views

app_name = "drawings"

urlpatterns = [
    path("draw/", views.canvas, name="canvas"),
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/<int:pk>/", views.detail, name="detail"),
    path("gallery/<int:pk>/show-a-grown-up/", views.show_a_grownup, name="show_a_grownup"),
    path("drawings/<int:pk>/sketch.png", views.sketch_image, name="sketch_image"),
    path("drawings/<int:pk>/result.png", views.result_image, name="result_image"),
    path(
        "drawings/<int:pk>/versions/<int:number>.png",
        views.version_image,
        name="version_image",
    ),
]
