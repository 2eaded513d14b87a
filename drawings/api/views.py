"""REST endpoints for the playing child's drawings. Thin: the services do the work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlayingChild, playing_child
from drawings import selectors, services
from drawings.api.serializers import (
    CategoryListSerializer,
    DrawingSerializer,
    DrawingSubmitSerializer,
)
from drawings.api.throttles import ChildSubmissionThrottle, FamilySubmissionThrottle
from drawings.payloads import category_choices, theme_choices
from inference.sketch_files import sketch_too_large


def refuse_oversized_body(request: Request) -> None:
    """Turn away a huge upload from its Content-Length, before any of it is parsed."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.SKETCH_MAX_BYTES
    if length > limit + 64 * 1024:  # room for the form's other fields
        raise sketch_too_large(limit=limit)


class DrawingListCreateView(generics.ListAPIView):
    """The playing child's drawings (newest first); POST submits a new sketch."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    # Only POSTs count (each costs a generator run): see drawings/api/throttles.py.
    throttle_classes = [ChildSubmissionThrottle, FamilySubmissionThrottle]
    serializer_class = DrawingSerializer

    def get_queryset(self) -> Any:
        return selectors.drawings_of_child(child=playing_child(self.request))

    @extend_schema(
        request={"multipart/form-data": DrawingSubmitSerializer},
        responses={201: DrawingSerializer, 200: DrawingSerializer},
        description="Submit a sketch. Retrying with the same client_id returns the same drawing "
        "(200) instead of creating a second one (201).",
    )
    def post(self, request: Request) -> Response:
        child = playing_child(request)
        refuse_oversized_body(request)
        form = DrawingSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # A SubmissionRejected rises to drawings.api.errors, which answers with its status.
        drawing, created = services.submit_drawing(
            child=child,
            category=form.validated_data["category"],
            sketch=form.validated_data["sketch"],
            client_id=form.validated_data["client_id"],
        )
        return Response(
            DrawingSerializer(drawing).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DrawingDetailView(APIView):
    permission_classes = [IsAuthenticated, IsPlayingChild]

    @extend_schema(responses=DrawingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        drawing = selectors.drawing_of_child(child=playing_child(request), drawing_id=pk)
        if drawing is None:
            raise NotFound(_("There is no such drawing in your gallery."))
        return Response(DrawingSerializer(drawing).data)


class CategoryListView(APIView):
    """What a child can draw right now: the installed generators' categories and their themes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CategoryListSerializer)
    def get(self, request: Request) -> Response:
        language = get_language() or "en"
        return Response(
            {"themes": theme_choices(language), "categories": category_choices(language)}
        )
