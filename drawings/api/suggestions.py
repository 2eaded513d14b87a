""" "What did you draw?" over REST: the canvas asks after each pause of the pen. Thin."""

from __future__ import annotations

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlayingChild
from drawings.api.throttles import SuggestionThrottle
from drawings.api.views import refuse_oversized_body
from drawings.suggestions import suggest_things


class SuggestionRequestSerializer(serializers.Serializer):
    sketch = serializers.FileField(
        help_text="The sketch so far, as for a drawing: PNG, JPEG or WebP, at most 5 MB and "
        "4096×4096 pixels."
    )


class SuggestionSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="A category slug, as in /api/v1/categories/.")
    label = serializers.CharField(help_text="The name in the request's language.")  # type: ignore[assignment]
    emoji = serializers.CharField()
    theme = serializers.CharField(help_text="The slug of the thing's theme.")
    probability = serializers.FloatField(help_text="Shared among the installed things (0–1).")


class SuggestionView(APIView):
    """Guess what the child is drawing: the three likeliest installed things, best first."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    throttle_classes = [SuggestionThrottle]

    @extend_schema(
        request={"multipart/form-data": SuggestionRequestSerializer},
        responses={
            200: SuggestionSerializer(many=True),
            503: OpenApiResponse(description="No sketch classifier is installed."),
        },
        description="Nothing is stored. Rate-limited per child (429 when asked too often).",
    )
    def post(self, request: Request) -> Response:
        refuse_oversized_body(request)
        form = SuggestionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        suggestions = suggest_things(
            sketch=form.validated_data["sketch"], language=get_language() or "en"
        )
        return Response(suggestions)
