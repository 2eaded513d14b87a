"""The family's drawings: the list, one drawing, deleting, hiding and showing it again."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import IsParent
from core.pagination import StrictCursorPagination
from core.serializers import query_once
from drawings import erasure
from drawings.models import Drawing
from family import services
from family.api import serializers as s
from family.api.views.base import (
    BAD_INPUT,
    ERRORS,
    NOT_FOUND,
    TAGS,
    ParentView,
    family_drawings,
    own_drawing,
)


class FamilyDrawingCursor(StrictCursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20


def _drawing_answer(request: Request, pk: int) -> Response:
    drawing = own_drawing(request, pk).get()
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
        drawings = family_drawings(self.request)
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
        erasure.delete_drawings(drawings=own_drawing(request, pk))
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
        services.set_drawings_hidden(drawings=own_drawing(request, pk), hidden=True)
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
        services.set_drawings_hidden(drawings=own_drawing(request, pk), hidden=False)
        return _drawing_answer(request, pk)
