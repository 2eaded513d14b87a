from __future__ import annotations

from typing import Any

from rest_framework import serializers

from drawings.models import Drawing, DrawingStatus
from drawings.payloads import drawing_payload


class DrawingSubmitSerializer(serializers.Serializer):
    sketch = serializers.FileField(
        help_text="The sketch as PNG, JPEG or WebP: at most 5 MB and 4096×4096 pixels."
    )
    category = serializers.SlugField(max_length=40, help_text="A slug from /api/v1/categories/.")
    client_id = serializers.CharField(
        max_length=64,
        help_text="A fresh id (a UUID) for each new drawing; send the same one when retrying.",
    )


class DrawingSerializer(serializers.Serializer):
    """Read-only: the shape is :func:`drawings.payloads.drawing_payload`, shared with events."""

    id = serializers.IntegerField()
    client_id = serializers.CharField()
    category = serializers.CharField()
    status = serializers.ChoiceField(choices=DrawingStatus.choices)
    sketch_url = serializers.CharField()
    result_url = serializers.CharField(allow_null=True)
    error_message = serializers.CharField(allow_null=True)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    inference_ms = serializers.IntegerField(allow_null=True)

    def to_representation(self, instance: Drawing) -> dict[str, Any]:
        return drawing_payload(instance)


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
