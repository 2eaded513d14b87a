from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.serializers import JSONBodySerializer
from drawings.models import Drawing
from drawings.payloads import child_drawing_payload
from drawings.serializers import DrawingFieldsSerializer


class DrawingSubmitSerializer(serializers.Serializer):
    sketch = serializers.FileField(
        help_text="The sketch as PNG, JPEG or WebP: at most 5 MB and 4096×4096 pixels. It is "
        "stored as a 512×512 PNG on white (the canvas's side; send the canvas at 512 for the "
        "crispest picture): the palette painter paints 512 px pictures over the child's lines "
        "at that size, a pix2pix generator draws 256 px ones from it scaled down."
    )
    category = serializers.SlugField(max_length=40, help_text="A slug from /api/v1/categories/.")
    client_id = serializers.CharField(
        max_length=64,
        help_text="A fresh id (a UUID) for each new drawing; send the same one when retrying.",
    )


class PictureVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="0 is the first picture; each 🎲 adds one.")
    url = serializers.CharField(
        help_text="The website's address of this version (it needs the browser's session)."
    )
    api_url = serializers.CharField(
        help_text="This version as PNG for a Bearer token: "
        "GET /api/v1/drawings/{id}/versions/{number}.png."
    )


class DrawingSerializer(DrawingFieldsSerializer):
    """Read-only: :func:`drawings.payloads.child_drawing_payload`, which the child's socket
    hears too: the website's addresses plus those that work with a Bearer token."""

    sketch_url = serializers.CharField(
        help_text="The website's address of the sketch: it needs the browser's session (an app "
        "with a token uses `api_sketch_url`)."
    )
    result_url = serializers.CharField(
        allow_null=True,
        help_text="The website's address of the picture, once done: it needs the browser's "
        "session (an app with a token uses `api_picture_url`).",
    )
    # sketch_url/result_url are the web's (they need the session); an app uses these two.
    api_sketch_url = serializers.CharField(
        help_text="The sketch as PNG for a Bearer token: GET /api/v1/drawings/{id}/sketch.png."
    )
    api_picture_url = serializers.CharField(
        allow_null=True,
        help_text="The picture as PNG for a Bearer token, once the drawing is done (else null). "
        "It is the version shown (`version`).",
    )
    version = serializers.IntegerField(
        allow_null=True,
        help_text="Which of `versions` the picture is (null until done). After 🎲 the newest is "
        "shown; the child may pick another (POST …/show-version/).",
    )
    versions = PictureVersionSerializer(
        many=True,
        help_text='Every colourway of the picture ("New colours"), oldest first; empty until done.',
    )

    def to_representation(self, instance: Drawing) -> dict[str, Any]:
        # The payload the child's socket hears too (drawings.payloads).
        return child_drawing_payload(instance)


class ShowVersionSerializer(JSONBodySerializer):
    version = serializers.IntegerField(
        min_value=0, max_value=32767, help_text="The number of one of the drawing's `versions`."
    )


@extend_schema_serializer(component_name="ApiError")
class ApiErrorSerializer(serializers.Serializer):
    """Every error's one shape (core.api)."""

    code = serializers.CharField(help_text="Stable: clients branch on it.")
    detail = serializers.CharField(help_text="A sentence a person can act on, in their language.")
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: the messages for each field at fault.",
    )


class CategorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    # A field called "label" shadows Field.label in the stubs; the API name is worth keeping.
    label = serializers.CharField(help_text="The name in the request's language.")  # type: ignore[assignment]
    emoji = serializers.CharField()
    theme = serializers.CharField(
        help_text="The slug of its theme; a theme is its own theme (its entry means 'another one')."
    )


class ThemeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField(help_text="The name in the request's language.")  # type: ignore[assignment]
    emoji = serializers.CharField()
    categories = serializers.ListField(
        child=serializers.CharField(),
        help_text="Slugs of its categories, in the order to show them; the theme's own entry "
        "last. A theme with one category is picked with one tap.",
    )


class CategoryListSerializer(serializers.Serializer):
    themes = ThemeSerializer(many=True, help_text="The first tap, in the order to show them.")
    categories = CategorySerializer(many=True, help_text="Everything that can be drawn, by slug.")
