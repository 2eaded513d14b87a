"""REST endpoints for the playing child's drawings. Thin: the services do the work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Child
from drawings import selectors, services
from drawings.api.serializers import CategorySerializer, DrawingSerializer, DrawingSubmitSerializer
from inference.runtime import get_runtime


class IsPlayingChild(BasePermission):
    message = gettext_lazy("Start play mode and choose a child first: drawings belong to a child.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request, "child", None) is not None


def _child(request: Request) -> Child:
    child = getattr(request, "child", None)
    if child is None:
        raise PermissionDenied(IsPlayingChild.message)
    return child


def _refuse_oversized_body(request: Request) -> None:
    """Turn away a huge upload from its Content-Length, before any of it is parsed."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.SKETCH_MAX_BYTES
    if length > limit + 64 * 1024:  # room for the form's other fields
        error = ValidationError(
            {
                "sketch": [
                    _("This picture is too big. The limit is %(limit)d MB.")
                    % {"limit": limit // 1_048_576}
                ]
            },
            code="too_large",
        )
        error.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        raise error


class DrawingListCreateView(generics.ListAPIView):
    """The playing child's drawings (newest first); POST submits a new sketch."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    serializer_class = DrawingSerializer

    def get_queryset(self) -> Any:
        return selectors.drawings_of_child(child=_child(self.request))

    @extend_schema(
        request={"multipart/form-data": DrawingSubmitSerializer},
        responses={201: DrawingSerializer, 200: DrawingSerializer},
        description="Submit a sketch. Retrying with the same client_id returns the same drawing "
        "(200) instead of creating a second one (201).",
    )
    def post(self, request: Request) -> Response:
        child = _child(request)
        _refuse_oversized_body(request)
        form = DrawingSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            drawing, created = services.submit_drawing(
                child=child,
                category=form.validated_data["category"],
                sketch=form.validated_data["sketch"],
                client_id=form.validated_data["client_id"],
            )
        except services.SubmissionRejected as exc:
            field = exc.field or "non_field_errors"
            error = ValidationError({field: [exc.message]}, code=exc.code)
            if exc.code == "too_large":
                error.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            elif exc.code == "client_id_conflict":
                error.status_code = status.HTTP_409_CONFLICT
            raise error from exc
        return Response(
            DrawingSerializer(drawing).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DrawingDetailView(APIView):
    permission_classes = [IsAuthenticated, IsPlayingChild]

    @extend_schema(responses=DrawingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        drawing = selectors.drawing_of_child(child=_child(request), drawing_id=pk)
        if drawing is None:
            raise NotFound(_("There is no such drawing in your gallery."))
        return Response(DrawingSerializer(drawing).data)


class CategoryListView(APIView):
    """What a child can draw right now: the categories of the installed generators."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        language = get_language() or "en"
        data = [
            {"slug": c.slug, "label": c.label(language), "emoji": c.emoji}
            for c in get_runtime().categories()
        ]
        return Response(data)
