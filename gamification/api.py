"""The playing child's progress, achievements and today's quests over REST, for the mobile app.

Thin: ``gamification.selectors`` read everything; this module only picks the request's
language (Accept-Language) for the texts stored in English and Korean, and pages the lists.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlayingChild, playing_child
from core.pagination import ListCursorPagination
from drawings.selectors import installed_categories
from gamification import selectors
from gamification.levels import localized
from gamification.models import Tier

TAG = "child"
# Every error has the API's one shape (core.api).
CHILD_ERRORS = {
    401: OpenApiResponse(description="`not_signed_in`: no token, or it was revoked or expired."),
    403: OpenApiResponse(
        description="`permission_denied`: only a child's play token may do this (a parent's "
        "token may not)."
    ),
}


class QuestCursor(ListCursorPagination):
    """Today's quests: at most three, in the day's order, so one page holds them all."""

    page_size = 50


class AchievementCursor(ListCursorPagination):
    """Earned first, then the catalogue's order (``selectors.achievements_in_place``)."""

    page_size = 50
    place_key = "place"


class StreakSerializer(serializers.Serializer):
    current = serializers.IntegerField(help_text="Days in a row, counting today or yesterday.")
    best = serializers.IntegerField()
    freezes = serializers.IntegerField(help_text="Streak freezes saved up.")
    max_freezes = serializers.IntegerField()
    drew_today = serializers.BooleanField()


class QuestPayloadSerializer(serializers.Serializer):
    slug = serializers.CharField()
    icon = serializers.CharField(help_text="An emoji.")
    name_en = serializers.CharField()
    name_ko = serializers.CharField()
    progress = serializers.IntegerField()
    target = serializers.IntegerField()
    bonus_xp = serializers.IntegerField()
    completed = serializers.BooleanField()


class AchievementPayloadSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True, help_text="Null for a mystery not earned yet.")
    icon = serializers.CharField(help_text="An emoji.")
    name_en = serializers.CharField()
    name_ko = serializers.CharField()
    description_en = serializers.CharField()
    description_ko = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    xp_reward = serializers.IntegerField()
    earned = serializers.BooleanField()
    mystery = serializers.BooleanField()
    awarded_at = serializers.DateTimeField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    xp_total = serializers.IntegerField()
    level = serializers.IntegerField()
    level_emoji = serializers.CharField()
    level_title_en = serializers.CharField()
    level_title_ko = serializers.CharField()
    xp_into_level = serializers.IntegerField()
    xp_for_next_level = serializers.IntegerField()
    level_percent = serializers.IntegerField(help_text="How full the level bar is, 0–100.")
    drawings_done = serializers.IntegerField()
    streak = StreakSerializer()
    quests = QuestPayloadSerializer(many=True)
    achievements = AchievementPayloadSerializer(many=True, help_text="Earned first.")


class AchievementSerializer(serializers.Serializer):
    slug = serializers.CharField(allow_null=True, help_text="Null for a mystery not earned yet.")
    icon = serializers.CharField(help_text="An emoji (❓ for a mystery not earned yet).")
    title = serializers.CharField(help_text="In the request's language (Accept-Language).")
    description = serializers.CharField(help_text="In the request's language.")
    tier = serializers.ChoiceField(choices=Tier.choices)
    xp_reward = serializers.IntegerField()
    earned = serializers.BooleanField()
    mystery = serializers.BooleanField()
    earned_at = serializers.DateTimeField(allow_null=True, help_text="Null while still locked.")


class QuestSerializer(serializers.Serializer):
    slug = serializers.CharField()
    icon = serializers.CharField(help_text="An emoji.")
    title = serializers.CharField(help_text="In the request's language (Accept-Language).")
    progress = serializers.IntegerField(help_text="Pictures that counted so far today.")
    target = serializers.IntegerField(help_text="Pictures the quest asks for.")
    reward_xp = serializers.IntegerField(help_text="Bonus XP paid when it is completed.")
    completed = serializers.BooleanField()


def _achievement(place: list[int], item: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "place": place,  # for the cursor (AchievementCursor); the serializer leaves it out
        "slug": item["slug"],
        "icon": item["icon"],
        "title": localized(item["name_en"], item["name_ko"], language),
        "description": localized(item["description_en"], item["description_ko"], language),
        "tier": item["tier"],
        "xp_reward": item["xp_reward"],
        "earned": item["earned"],
        "mystery": item["mystery"],
        "earned_at": item["awarded_at"],
    }


def _quest(item: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "slug": item["slug"],
        "icon": item["icon"],
        "title": localized(item["name_en"], item["name_ko"], language),
        "progress": item["progress"],
        "target": item["target"],
        "reward_xp": item["bonus_xp"],
        "completed": item["completed"],
    }


class ProgressView(APIView):
    """XP, level, streak, today's quests and the achievements (mystery ones hidden)."""

    permission_classes = [IsAuthenticated, IsPlayingChild]

    @extend_schema(
        tags=[TAG],
        summary="My progress",
        description="The same XP/level/streak/quests shape as the `progress` part of the "
        "websocket's drawing.status event, plus every achievement (earned first); texts in "
        "both languages, as the event sends them.",
        responses={200: ProgressSerializer, **CHILD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        child = playing_child(request)
        return Response(
            {
                **selectors.progress_summary(child=child),
                "achievements": selectors.achievements_for(child=child),
            }
        )


class AchievementListView(generics.ListAPIView):
    """Every achievement the child has earned, then those still locked."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    serializer_class = AchievementSerializer
    pagination_class = AchievementCursor

    def get_queryset(self) -> Any:
        language = get_language() or "en"
        return [
            _achievement(place, item, language)
            for place, item in selectors.achievements_in_place(child=playing_child(self.request))
        ]

    @extend_schema(
        tags=[TAG],
        summary="My achievements",
        description="Earned ones first (with `earned_at`), then the locked ones (`earned_at` "
        "null); a mystery stays a ❓ without its slug until it is earned. Titles and "
        "descriptions in the request's language (Accept-Language: en or ko).",
        responses={200: AchievementSerializer(many=True), **CHILD_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class QuestListView(generics.ListAPIView):
    """Today's daily quests (the child's local day), with progress and reward."""

    permission_classes = [IsAuthenticated, IsPlayingChild]
    serializer_class = QuestSerializer
    pagination_class = QuestCursor

    def get_queryset(self) -> Any:
        child = playing_child(self.request)
        language = get_language() or "en"
        quests = selectors.todays_quests(
            child=child,
            progress=selectors.progress_of(child=child),
            categories=installed_categories(),
        )
        return [_quest(item, language) for item in quests]

    @extend_schema(
        tags=[TAG],
        summary="Today's quests",
        description="Up to three quests for the child's local day, the same on every device "
        "all day; each with its progress, target and bonus XP. Titles in the request's "
        "language (Accept-Language: en or ko).",
        responses={200: QuestSerializer(many=True), **CHILD_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
