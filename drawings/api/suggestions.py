""" "What did you draw?" over REST: the canvas asks after each pause of the pen. Thin."""

from __future__ import annotations

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlayingChild
from drawings.api.serializers import ApiErrorSerializer
from drawings.api.throttles import SuggestionThrottle
from drawings.api.views import CHILD_ERRORS, REJECTED, TAG, refuse_oversized_body
from drawings.suggestions import RETRY_AFTER, SuggestionsNotNow, suggest_things


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
    probability = serializers.FloatField(
        help_text="Shared among the installed things (0–1), calibrated (temperature scaling)."
    )
    confident = serializers.BooleanField(
        help_text="True only for a best guess sure enough to offer a child (the classifier's "
        "calibrated line, right about 8 times in 10 on drawings it never trained on); show a "
        "guess only when this is true."
    )


class SuggestionView(APIView):
    """Guess what the child is drawing: the three likeliest installed things, best first."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    throttle_classes = [SuggestionThrottle]
    parser_classes = [MultiPartParser]  # the sketch is a file, as for a drawing

    @extend_schema(
        tags=[TAG],
        summary="What did you draw?",
        request={"multipart/form-data": SuggestionRequestSerializer},
        responses={
            200: SuggestionSerializer(many=True),
            400: REJECTED,
            **CHILD_ERRORS,
            429: OpenApiResponse(
                ApiErrorSerializer,
                description="`throttled`: asked too often; try again after `Retry-After`.",
            ),
            503: OpenApiResponse(
                ApiErrorSerializer,
                description="`suggestions_unavailable`: no sketch classifier is installed (do "
                "not ask again). `suggestions_busy`: no inference worker answered in time; "
                "ask again after `Retry-After` seconds.",
            ),
        },
        description="The three likeliest installed things for the sketch so far, best first. "
        "Nothing is stored. Rate-limited per child (429 when asked too often). With the "
        "inference worker in other processes, the guess is a worker's, asked over the channel "
        "layer.",
    )
    def post(self, request: Request) -> Response:
        refuse_oversized_body(request)
        form = SuggestionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            suggestions = suggest_things(
                sketch=form.validated_data["sketch"], language=get_language() or "en"
            )
        except SuggestionsNotNow as exc:
            return Response(
                {"code": exc.code, "detail": exc.message},
                status=503,
                headers={"Retry-After": str(RETRY_AFTER)},
            )
        return Response(suggestions)
