"""Downloads for the parent: a drawing's sketch and picture as PNG, the family's ZIP export.

A download answers with the file's type, and a refusal is still JSON.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsParent, RecentlySignedIn
from core.serializers import query_once
from drawings.downloads import PRIVATE_HOUR, MissingFile, png_response
from drawings.models import DrawingStatus
from family.api import serializers as s
from family.api.views.base import (
    BAD_INPUT,
    ERRORS,
    NO_FORMAT,
    NOT_FOUND,
    TAGS,
    ParentView,
    family_drawings,
    own_child,
    own_drawing,
)
from family.export import zip_response


class PNGRenderer(BaseRenderer):
    media_type = "image/png"
    format = "png"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> Any:
        return data


class ZIPRenderer(PNGRenderer):
    media_type = "application/zip"
    format = "zip"


class FileView(ParentView):
    """A file download: the file's type is acceptable, and a refusal is still JSON."""

    # The stubs say Response; a download answers with Django's file responses, which DRF passes.
    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response):  # an error (or any JSON answer) of a download
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


def _image_answer(request: Request, pk: int, *, which: str) -> FileResponse:
    drawing = own_drawing(request, pk).get()
    field = drawing.sketch if which == "sketch" else drawing.result
    if which == "picture" and (drawing.status != DrawingStatus.DONE or not field):
        raise exceptions.NotFound(_("This drawing has no picture yet."))
    try:
        return png_response(field, filename=f"icanvas-{drawing.pk}-{which}.png", cache=PRIVATE_HOUR)
    except MissingFile as missing:
        raise exceptions.NotFound(_("This file is missing.")) from missing


def _png_download(*, summary: str, description: str, file: str) -> Any:
    """The schema of a download of one drawing's PNG."""
    return extend_schema_view(
        get=extend_schema(
            tags=TAGS,
            summary=summary,
            description=description,
            parameters=[NO_FORMAT],
            responses={
                (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description=file),
                **NOT_FOUND,
                **ERRORS,
            },
        )
    )


class DrawingImageView(FileView):
    """One of a drawing's PNGs: ``which`` is "sketch" or "picture"."""

    renderer_classes = [JSONRenderer, PNGRenderer]
    which: str

    def get(self, request: Request, pk: int) -> FileResponse:
        return _image_answer(request, pk, which=self.which)


@_png_download(
    summary="Download a drawing's sketch",
    description="The child's sketch as PNG.",
    file="The sketch.",
)
class DrawingSketchView(DrawingImageView):
    which = "sketch"


@_png_download(
    summary="Download a drawing's picture",
    description="The generated picture as PNG; 404 until it is done.",
    file="The picture.",
)
class DrawingPictureView(DrawingImageView):
    which = "picture"


class FamilyExportView(FileView):
    permission_classes = [IsAuthenticated, IsParent, RecentlySignedIn]
    renderer_classes = [JSONRenderer, ZIPRenderer]

    @extend_schema(
        tags=TAGS,
        summary="Download the family's drawings (ZIP)",
        description="Every sketch and picture as PNG, and `manifest.json` listing each "
        "drawing (child, category, status, hidden, times, XP, file names), streamed as it is "
        "written. `child` keeps one child's drawings only.",
        parameters=[
            OpenApiParameter(
                "child",
                {"type": "integer", "format": "int64", "minimum": 1, "maximum": s.ID_MAX},
                description="Only this child's drawings.",
            ),
            NO_FORMAT,
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The ZIP, as an attachment."
            ),
            **BAD_INPUT,
            **NOT_FOUND,
            **ERRORS,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        drawings = family_drawings(request)
        wanted = query_once(request, ["child"])
        if "child" in wanted:
            form = s.FamilyDrawingFilterSerializer(data=wanted)
            form.is_valid(raise_exception=True)
            child = own_child(request, form.validated_data["child"])
            drawings = drawings.filter(child=child)
        filename = f"icanvas-family-{timezone.localdate().isoformat()}.zip"
        return zip_response(request._request, drawings=drawings, filename=filename)
