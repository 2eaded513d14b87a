"""The parents' REST endpoints: the family, its children, their drawings, the export.

Thin views over the services and selectors the family admin and the web pages use, so every
rule (PIN format, consent, hiding, deleting with the XP ledger kept) lives there once. Only a
parent acting as the parent gets in (a parent's token or the web session, never a play token),
and every object is looked up inside the parent's own family: another family's id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Max, QuerySet, Value
from django.db.models.functions import Coalesce
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
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as accounts_selectors
from accounts import services as accounts
from accounts.models import Child, ConsentRecord, User
from accounts.permissions import IsParent, RecentlySignedIn
from core.pagination import StrictCursorPagination
from core.serializers import query_once
from drawings import erasure
from drawings import selectors as drawings_selectors
from drawings.models import Drawing, DrawingStatus
from family import selectors, services
from family.api import serializers as s
from family.export import zip_response

TAGS = ["family"]


# The body of every error is the one shape (``ApiError``, added to each operation by
# icanvas_site.api_schema, answered by core.api); here each operation says what its statuses mean.
ERRORS = {
    401: OpenApiResponse(description="`not_signed_in`: no token, or it was revoked or expired."),
    403: OpenApiResponse(
        description="`permission_denied`: this needs the parent; a child's play token "
        "(or play mode on the web) may not."
    ),
}
NOT_FOUND = {
    404: OpenApiResponse(description="`not_found`: there is no such thing in your family.")
}
BAD_INPUT = {
    400: OpenApiResponse(description="`{code, detail, field_errors}`: what to fix, input by input.")
}


# A file is chosen by its address and the Accept header; ``?format=`` is left undocumented.
NO_FORMAT = OpenApiParameter("format", exclude=True)


def _parent(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsParent let only a signed-in parent through
        raise exceptions.NotAuthenticated()
    return user


class ParentView(APIView):
    permission_classes = [IsAuthenticated, IsParent]


# --- the parent ----------------------------------------------------------------------------


class MeView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="The signed-in parent and the family at a glance",
        description="Who is signed in, and how many children and drawings the family has; "
        "`new_pictures` counts finished pictures since the parent last opened the family "
        "gallery, `asked_to_look` the pictures a child asked a grown-up to see.",
        responses={200: s.MeSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        parent = _parent(request)
        news = selectors.what_is_new(parent=parent)
        data = {
            "email": parent.email,
            "display_name": parent.display_name,
            "date_joined": parent.date_joined,
            "counts": {
                "children": accounts_selectors.family_children(parent=parent).count(),
                "drawings": drawings_selectors.drawings_of_family(parent=parent).count(),
                "new_pictures": news.new_pictures,
                "asked_to_look": news.asked_to_look,
            },
        }
        return Response(s.MeSerializer(data).data)


# --- children ------------------------------------------------------------------------------


def children_at_a_glance(*, parent: User) -> QuerySet[Child]:
    """The family's children with what the list shows (XP, streak, drawings), in one query."""
    return accounts_selectors.family_children(parent=parent).annotate(
        xp_total=Coalesce("progress__xp_total", Value(0)),
        current_streak=Coalesce("progress__current_streak", Value(0)),
        streak_freezes=Coalesce("progress__streak_freezes", Value(0)),
        last_active_day=F("progress__last_active_day"),
        drawing_count=Count("drawings", distinct=True),
        last_drawn_at=Max("drawings__created_at"),
    )


def _own_child(request: Request, pk: int) -> Child:
    child = children_at_a_glance(parent=_parent(request)).filter(pk=pk).first()
    if child is None:
        raise exceptions.NotFound(_("There is no such child in your family."))
    return child


def _child_answer(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.ChildSerializer(_own_child(request, pk)).data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The family's children",
        description="Oldest profile first, each with avatar, age, level, XP, streak (as the "
        "child sees it today), how many drawings and when the child last drew.",
        responses={200: s.ChildSerializer(many=True), **ERRORS},
    )
)
class ChildListCreateView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsParent]
    serializer_class = s.ChildSerializer

    def get_queryset(self) -> QuerySet[Child]:
        return children_at_a_glance(parent=_parent(self.request)).order_by("created_at", "id")

    @extend_schema(
        tags=TAGS,
        summary="Add a child",
        description="Create a child profile (a nickname, never a real name) with a play-mode "
        "PIN. `consent` must be true: the parent's consent is recorded with the method "
        "`mobile_app`, the time and the consent text's version, together with the profile or "
        "not at all.",
        request=s.ChildCreateSerializer,
        responses={201: s.ChildSerializer, **BAD_INPUT, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        form = s.ChildCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # A ProfileRejected rises to core.api: 400 with each field's errors.
        child = accounts.add_child(
            parent=_parent(request),
            nickname=data["nickname"],
            avatar=data["avatar"],
            birth_year=data["birth_year"],
            time_zone=data["time_zone"],
            pin=data["pin"],
            consent_method=ConsentRecord.Method.MOBILE_APP,
        )
        return _child_answer(request, child.pk, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The avatars a child may have",
        description="Our own fixed set (never a photo): the value to send, its emoji and its "
        "name in the request's language.",
        responses={200: s.AvatarSerializer(many=True), **ERRORS},
    )
)
class AvatarListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsParent]
    serializer_class = s.AvatarSerializer

    def get_queryset(self) -> Any:
        return s.avatar_choices()


class ChildDetailView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="One child",
        description="The child's profile and progress at a glance.",
        responses={200: s.ChildSerializer, **NOT_FOUND, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _child_answer(request, pk)

    @extend_schema(
        tags=TAGS,
        summary="Change a child's profile",
        description="Only the fields sent change, checked by the same rules as the family "
        "page. The PIN has its own endpoint.",
        request=s.ChildUpdateSerializer,
        responses={200: s.ChildSerializer, **BAD_INPUT, **NOT_FOUND, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        child = _own_child(request, pk)
        form = s.ChildUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        accounts.update_child(child=child, **form.validated_data)
        return _child_answer(request, pk)


class ChildPinView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="Set a new PIN",
        description="The child's new play-mode PIN (stored hashed). It also lifts a lock left "
        "by too many wrong tries, as in the family admin.",
        request=s.PinSerializer,
        responses={200: s.ChildSerializer, **BAD_INPUT, **NOT_FOUND, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        child = _own_child(request, pk)
        form = s.PinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        accounts.set_child_pin(child=child, pin=form.validated_data["pin"])
        return _child_answer(request, pk)


class WithdrawConsentView(ParentView):
    permission_classes = [IsAuthenticated, IsParent, RecentlySignedIn]

    @extend_schema(
        tags=TAGS,
        summary="Withdraw consent: delete everything of a child",
        description='With `{"confirm": true}`: the child\'s drawings and their files, XP, '
        "achievements, streaks, quests and the profile are deleted for good. The consent "
        "records stay as evidence, marked withdrawn and naming nobody. The answer says what "
        "was deleted.",
        request=s.ConfirmSerializer,
        responses={200: s.WithdrawalSerializer, **BAD_INPUT, **NOT_FOUND, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        child = _own_child(request, pk)
        form = s.ConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # A second withdrawal at the same moment finds no child: ChildNotFound answers 404.
        result = services.withdraw_consent(parent=_parent(request), child_id=child.pk)
        return Response(s.WithdrawalSerializer(result).data)


# --- drawings ------------------------------------------------------------------------------


class FamilyDrawingCursor(StrictCursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20


def _family_drawings(request: Request) -> QuerySet[Drawing]:
    return drawings_selectors.drawings_of_family(parent=_parent(request))


def _own_drawing(request: Request, pk: int) -> QuerySet[Drawing]:
    """The one drawing as a queryset (the services write through querysets), or a 404."""
    drawing = _family_drawings(request).filter(pk=pk)
    if not drawing.exists():
        raise exceptions.NotFound(_("There is no such drawing in your family."))
    return drawing


def _drawing_answer(request: Request, pk: int) -> Response:
    drawing = _own_drawing(request, pk).get()
    return Response(s.FamilyDrawingSerializer(drawing, context={"request": request}).data)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The family's drawings",
        description="Every drawing of the family's children, newest first, hidden ones "
        "included, page by page (follow `next`). Each is the drawing as the child's app sees "
        "it, plus `child_id`, `hidden` and download addresses that take the parent's token.",
        parameters=[s.FamilyDrawingFilterSerializer],
        responses={200: s.FamilyDrawingSerializer(many=True), **BAD_INPUT, **ERRORS},
    )
)
class FamilyDrawingListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsParent]
    serializer_class = s.FamilyDrawingSerializer
    pagination_class = FamilyDrawingCursor

    def get_queryset(self) -> QuerySet[Drawing]:
        form = s.FamilyDrawingFilterSerializer(data=query_once(self.request))
        form.is_valid(raise_exception=True)
        wanted = form.validated_data
        drawings = _family_drawings(self.request)
        if "child" in wanted:
            drawings = drawings.filter(child_id=wanted["child"])
        if "category" in wanted:
            drawings = drawings.filter(category=wanted["category"])
        if "status" in wanted:
            drawings = drawings.filter(status=wanted["status"])
        if "since" in wanted:
            drawings = drawings.filter(created_at__gte=wanted["since"])
        if wanted.get("asked") is not None:
            drawings = drawings.filter(grownup_asked_at__isnull=not wanted["asked"])
        return drawings


class FamilyDrawingDetailView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="One drawing",
        description="A drawing of the family, hidden or not.",
        responses={200: s.FamilyDrawingSerializer, **NOT_FOUND, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _drawing_answer(request, pk)

    @extend_schema(
        tags=TAGS,
        summary="Delete a drawing for good",
        description="The row now, its sketch and picture files once that commits. The XP it "
        "paid stays paid (the XP ledger is kept), as in the family admin.",
        responses={204: None, **NOT_FOUND, **ERRORS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        erasure.delete_drawings(drawings=_own_drawing(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FamilyDrawingHideView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="Hide a drawing from the child",
        description="It leaves every child-facing read (gallery, REST, images) but stays in "
        "the family; `show` brings it back.",
        request=None,
        responses={200: s.FamilyDrawingSerializer, **NOT_FOUND, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.set_drawings_hidden(drawings=_own_drawing(request, pk), hidden=True)
        return _drawing_answer(request, pk)


class FamilyDrawingShowView(ParentView):
    @extend_schema(
        tags=TAGS,
        summary="Show a hidden drawing to the child again",
        description="Undoes `hide`: the drawing is back in the child's gallery.",
        request=None,
        responses={200: s.FamilyDrawingSerializer, **NOT_FOUND, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        services.set_drawings_hidden(drawings=_own_drawing(request, pk), hidden=False)
        return _drawing_answer(request, pk)


# --- files ---------------------------------------------------------------------------------


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
    drawing = _own_drawing(request, pk).get()
    field = drawing.sketch if which == "sketch" else drawing.result
    if which == "picture" and (drawing.status != DrawingStatus.DONE or not field):
        raise exceptions.NotFound(_("This drawing has no picture yet."))
    try:
        handle = field.open("rb")
    except OSError as error:
        raise exceptions.NotFound(_("This file is missing.")) from error
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="icanvas-{drawing.pk}-{which}.png"'
    return response


class DrawingSketchView(FileView):
    renderer_classes = [JSONRenderer, PNGRenderer]

    @extend_schema(
        tags=TAGS,
        summary="Download a drawing's sketch",
        description="The child's sketch as PNG.",
        parameters=[NO_FORMAT],
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The sketch."),
            **NOT_FOUND,
            **ERRORS,
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        return _image_answer(request, pk, which="sketch")


class DrawingPictureView(FileView):
    renderer_classes = [JSONRenderer, PNGRenderer]

    @extend_schema(
        tags=TAGS,
        summary="Download a drawing's picture",
        description="The generated picture as PNG; 404 until it is done.",
        parameters=[NO_FORMAT],
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The picture."),
            **NOT_FOUND,
            **ERRORS,
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        return _image_answer(request, pk, which="picture")


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
        drawings = _family_drawings(request)
        wanted = query_once(request, ["child"])
        if "child" in wanted:
            form = s.FamilyDrawingFilterSerializer(data=wanted)
            form.is_valid(raise_exception=True)
            child = _own_child(request, form.validated_data["child"])
            drawings = drawings.filter(child=child)
        filename = f"icanvas-family-{timezone.localdate().isoformat()}.zip"
        return zip_response(request._request, drawings=drawings, filename=filename)
