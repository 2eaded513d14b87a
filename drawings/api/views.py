"""REST endpoints for the playing child's drawings. Thin: the services do the work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlayingChild, playing_child
from core import error_codes as codes
from drawings import selectors, services
from drawings.api.pagination import DrawingCursorPagination
from drawings.api.serializers import (
    ApiErrorSerializer,
    CategoryListSerializer,
    DrawingSerializer,
    DrawingSubmitSerializer,
    ShowVersionSerializer,
)
from drawings.api.throttles import (
    ChildSubmissionThrottle,
    FamilySubmissionThrottle,
    NewColoursThrottle,
)
from drawings.downloads import PRIVATE_HOUR, MissingFile, png_response
from drawings.models import Drawing, DrawingStatus
from drawings.payloads import category_choices, theme_choices
from inference.serving.sketch_files import sketch_too_large

TAG = "child"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ApiErrorSerializer, description=description)


NOT_SIGNED_IN = _error("`not_signed_in`: no token, or it was revoked or expired.")
NOT_A_CHILD = _error(
    "`permission_denied`: only a child's play token may do this (a parent's token may not)."
)
CHILD_ERRORS = {401: NOT_SIGNED_IN, 403: NOT_A_CHILD}
NOT_THEIRS = (
    "`not_found`: not one of this child's drawings (a sibling's, another family's, or one a "
    "parent hid)."
)
NO_SUCH_DRAWING = _error(NOT_THEIRS)
THROTTLED = _error(
    "`throttled`: too many sketches this minute (per child and per family); try again after "
    "`Retry-After` seconds."
)
REJECTED = _error("`{code, detail, field_errors}`: what to fix in the sketch or the form.")


def refuse_oversized_body(request: Request) -> None:
    """Turn away a huge upload from its Content-Length, before any of it is parsed."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.SKETCH_MAX_BYTES
    if length > limit + 64 * 1024:  # room for the form's other fields
        raise sketch_too_large(limit=limit)


def _own_drawing(request: Request, pk: int) -> Drawing:
    drawing = selectors.drawing_of_child(child=playing_child(request), drawing_id=pk)
    if drawing is None:
        raise NotFound(_("There is no such drawing in your gallery."))
    return drawing


class DrawingListCreateView(generics.ListAPIView):
    """The playing child's drawings (newest first); POST submits a new sketch."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    # Only POSTs count (each costs a generator run): see drawings/api/throttles.py.
    throttle_classes = [ChildSubmissionThrottle, FamilySubmissionThrottle]
    # A sketch is a file: multipart/form-data only (every other body of the API is JSON).
    parser_classes = [MultiPartParser]
    serializer_class = DrawingSerializer
    pagination_class = DrawingCursorPagination

    def get_queryset(self) -> Any:
        return selectors.drawings_of_child(child=playing_child(self.request))

    @extend_schema(
        tags=[TAG],
        summary="My drawings",
        description="The playing child's gallery, newest first, by cursor: follow `next` for "
        "older pictures (null on the last page); `page_size` is 20, at most 100. Drawings a "
        "parent hid are never listed.",
        responses={200: DrawingSerializer(many=True), **CHILD_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="Submit a sketch",
        request={"multipart/form-data": DrawingSubmitSerializer},
        responses={
            201: DrawingSerializer,
            200: DrawingSerializer,
            400: REJECTED,
            409: _error("`client_id_conflict`: this client_id was used for another drawing."),
            413: _error("`too_large`: the sketch is over 5 MB."),
            **CHILD_ERRORS,
            429: THROTTLED,
        },
        description="Submit a sketch to be turned into a picture (queued; follow it on the "
        "websocket or with GET). Retrying with the same client_id returns the same drawing "
        "(200) instead of creating a second one (201); a failed one is queued again.",
    )
    def post(self, request: Request) -> Response:
        child = playing_child(request)
        refuse_oversized_body(request)
        form = DrawingSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # A SubmissionRejected rises to core.api, which answers with its code's status.
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

    @extend_schema(
        tags=[TAG],
        summary="One of my drawings",
        description="Its current state: status, image addresses, timings.",
        responses={200: DrawingSerializer, **CHILD_ERRORS, 404: NO_SUCH_DRAWING},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DrawingSerializer(_own_drawing(request, pk)).data)


class DrawingRetryView(APIView):
    """The web's "Try again": a failed drawing is queued once more, the same row."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    # Another try costs a generator run like a new sketch: it counts against the same limits.
    throttle_classes = [ChildSubmissionThrottle, FamilySubmissionThrottle]

    @extend_schema(
        tags=[TAG],
        summary="Try a failed drawing again",
        description="Queues a `failed` drawing again with its stored sketch (attempts start "
        "over). Any other drawing is refused with 409 `not_failed`, so nothing is drawn twice.",
        request=None,
        responses={
            200: DrawingSerializer,
            **CHILD_ERRORS,
            404: NO_SUCH_DRAWING,
            409: _error("`not_failed`: only a drawing that could not be drawn can be retried."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        # A SubmissionRejected (not failed) rises to core.api: 409.
        drawing = services.retry_drawing(child=playing_child(request), drawing_id=pk)
        if drawing is None:
            raise NotFound(_("There is no such drawing in your gallery."))
        return Response(DrawingSerializer(drawing).data)


class NewColoursView(APIView):
    """🎲 "New colours": a finished picture redrawn in another colourway, as a new version."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    # Each is a generator run: its own per-child limit, and the submissions' limits too.
    throttle_classes = [NewColoursThrottle, ChildSubmissionThrottle, FamilySubmissionThrottle]

    @extend_schema(
        tags=[TAG],
        summary="New colours (🎲)",
        description="Queues the drawing's next version: the same sketch painted again, the "
        "colours the child put down kept and every region the child left blank in another "
        "colourway. The worker paints it like any drawing and `drawing.status` events follow "
        "it: the drawing stays `done` and keeps showing its picture while `new_colours` is "
        "`queued`/`running`; then the new version is added to `versions` and shown (the child "
        "can go back with show-version). Nothing is paid for it (no XP, no quest progress). "
        "Pressing again while one is on its way answers the drawing unchanged. Offered only "
        "where `can_new_colours` is true.",
        request=None,
        responses={
            202: DrawingSerializer,
            **CHILD_ERRORS,
            404: NO_SUCH_DRAWING,
            409: _error(
                "`not_done`: the picture is not finished yet; `no_new_colours`: the generator "
                "drawing this category paints one picture a sketch (pix2pix); "
                "`too_many_versions`: the picture has the most versions already."
            ),
            429: _error(
                "`throttled`: too many new colours (or sketches) this minute; try again after "
                "`Retry-After` seconds."
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        # A NewColoursRefused rises to core.api, which answers with its code's status.
        drawing = services.ask_for_new_colours(child=playing_child(request), drawing_id=pk)
        if drawing is None:
            raise NotFound(_("There is no such drawing in your gallery."))
        return Response(DrawingSerializer(drawing).data, status=status.HTTP_202_ACCEPTED)


class ShowVersionView(APIView):
    """The child picks which version of a picture is shown."""

    permission_classes = [IsAuthenticated, IsPlayingChild]

    @extend_schema(
        tags=[TAG],
        summary="Show another version",
        description="Shows one of the picture's `versions` (by `number`) wherever the picture "
        "is shown; the others are kept. The pages hear it as a `drawing.status` event.",
        request=ShowVersionSerializer,
        responses={
            200: DrawingSerializer,
            400: _error("`no_such_version` (or a malformed body): pick one of `versions`."),
            **CHILD_ERRORS,
            404: NO_SUCH_DRAWING,
            409: _error("`not_done`: the picture is not finished yet."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _own_drawing(request, pk)  # another family's drawing is not found, whatever the body
        form = ShowVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        drawing = services.show_version(
            child=playing_child(request), drawing_id=pk, number=form.validated_data["version"]
        )
        if drawing is None:
            raise NotFound(_("There is no such drawing in your gallery."))
        return Response(DrawingSerializer(drawing).data)


class ImageAnswerView(APIView):
    """Images of the playing child's drawings as PNG bytes, for a Bearer token (no session)."""

    permission_classes = [IsAuthenticated, IsPlayingChild]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # An image client sends Accept: image/png: the answer is the file itself, and an error
        # is still the JSON shape rather than a 406.
        return super().perform_content_negotiation(request, force=True)


def _image_answer(
    request: Request, pk: int, *, which: str, number: int | None = None
) -> FileResponse:
    drawing = _own_drawing(request, pk)
    if which == "sketch":
        field = drawing.sketch
    elif number is not None:
        version = selectors.picture_version(drawing=drawing, number=number)
        if version is None:
            raise NotFound(_("This picture has no such version."), code=codes.NO_SUCH_VERSION)
        field = version
    elif drawing.status == DrawingStatus.DONE and drawing.result:
        field = drawing.result
    else:
        raise NotFound(_("This drawing has no picture yet."), code=codes.NO_PICTURE)
    name = f"icanvas-{drawing.pk}-{which if number is None else f'v{number}'}.png"
    try:
        response = png_response(field, filename=name, cache=PRIVATE_HOUR)
    except MissingFile as missing:
        raise NotFound(_("There is no such drawing in your gallery.")) from missing
    patch_vary_headers(response, ["Authorization"])
    return response


class DrawingImageView(ImageAnswerView):
    """The sketch or the picture shown."""

    which = ""  # "sketch" or "picture"

    def get(self, request: Request, pk: int) -> FileResponse:
        return _image_answer(request, pk, which=self.which)


def _image_schema(which: str, extra_404: str) -> Any:
    return extend_schema(
        tags=[TAG],
        summary=f"My drawing's {which} (PNG)",
        description=f"The {which} as `image/png` bytes, privately cacheable for an hour. "
        "Sent with the Bearer token, so an app can show it without a web session.",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG bytes."),
            **CHILD_ERRORS,
            404: _error(NOT_THEIRS + extra_404),
        },
    )


class DrawingSketchView(DrawingImageView):
    which = "sketch"

    @_image_schema("sketch", "")
    def get(self, request: Request, pk: int) -> FileResponse:
        return super().get(request, pk)


class DrawingPictureView(DrawingImageView):
    which = "picture"

    @_image_schema("picture", " `no_picture`: the drawing is not done yet (or failed).")
    def get(self, request: Request, pk: int) -> FileResponse:
        return super().get(request, pk)


class DrawingVersionView(ImageAnswerView):
    @extend_schema(
        tags=[TAG],
        summary="One version of my picture (PNG)",
        description="Version `number` of the picture (see `versions`) as `image/png` bytes, "
        "privately cacheable for an hour. Sent with the Bearer token.",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG bytes."),
            **CHILD_ERRORS,
            404: _error(NOT_THEIRS + " `no_such_version`: the picture has no such version."),
        },
    )
    def get(self, request: Request, pk: int, number: int) -> FileResponse:
        return _image_answer(request, pk, which="picture", number=number)


class ShowAGrownupView(APIView):
    """The child's "Show a grown-up": the picture waits in the parent's family admin."""

    permission_classes = [IsAuthenticated, IsPlayingChild]

    @extend_schema(
        tags=[TAG],
        summary="Show a grown-up",
        description="Puts the picture in the parent's family admin as a request to look "
        "(nothing leaves the family); pressing again changes nothing.",
        request=None,
        responses={200: DrawingSerializer, **CHILD_ERRORS, 404: NO_SUCH_DRAWING},
    )
    def post(self, request: Request, pk: int) -> Response:
        drawing = services.ask_a_grownup(child=playing_child(request), drawing_id=pk)
        if drawing is None:
            raise NotFound(_("There is no such drawing in your gallery."))
        return Response(DrawingSerializer(drawing).data)


class CategoryListView(APIView):
    """What a child can draw right now: the installed generators' categories and their themes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="What can be drawn",
        description="The installed generators' categories and their themes, labelled in the "
        "request's language (Accept-Language). Any signed-in token may ask.",
        responses={200: CategoryListSerializer, 401: NOT_SIGNED_IN},
    )
    def get(self, request: Request) -> Response:
        language = get_language() or "en"
        return Response(
            {"themes": theme_choices(language), "categories": category_choices(language)}
        )
