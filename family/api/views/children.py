"""The family's children: list, add, change, a new PIN, and withdrawing consent."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services as accounts
from accounts.models import Child, ConsentRecord
from accounts.permissions import IsParent, RecentlySignedIn
from core.pagination import ListCursorPagination, StrictCursorPagination
from family import selectors, services
from family.api import serializers as s
from family.api.views.base import (
    BAD_INPUT,
    ERRORS,
    NOT_FOUND,
    TAGS,
    ParentView,
    own_child,
    parent_of,
)


class ChildCursor(StrictCursorPagination):
    """Oldest profile first; a child added meanwhile comes at the end, never twice."""

    ordering = ("created_at", "id")
    page_size = 20


class AvatarCursor(ListCursorPagination):
    """The fixed avatars in their order: one page holds them all."""

    page_size = 50


def _child_answer(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.ChildSerializer(own_child(request, pk)).data, status=code)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="The family's children",
        description="Oldest profile first, each with avatar, age, level, XP, streak (as the "
        "child sees it today), how many drawings and when the child last drew; page by page "
        "(follow `next`).",
        responses={200: s.ChildSerializer(many=True), **ERRORS},
    )
)
class ChildListCreateView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsParent]
    serializer_class = s.ChildSerializer
    pagination_class = ChildCursor

    def get_queryset(self) -> QuerySet[Child]:
        return selectors.children_at_a_glance(parent=parent_of(self.request))

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
            parent=parent_of(request),
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
    pagination_class = AvatarCursor

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
        child = own_child(request, pk)
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
        child = own_child(request, pk)
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
        child = own_child(request, pk)
        form = s.ConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # A second withdrawal at the same moment finds no child: ChildNotFound answers 404.
        result = services.withdraw_consent(parent=parent_of(request), child_id=child.pk)
        return Response(s.WithdrawalSerializer(result).data)
