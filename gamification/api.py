"""GET /api/v1/progress/: the playing child's progress for the mobile app."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlayingChild, playing_child
from gamification import selectors


class ProgressView(APIView):
    """XP, level, streak, today's quests and the achievements (mystery ones hidden)."""

    permission_classes = [IsAuthenticated, IsPlayingChild]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="The same XP/level/streak/quests shape as the `progress` part of the "
        "websocket's drawing.status event, plus every achievement (earned first).",
    )
    def get(self, request: Request) -> Response:
        child = playing_child(request)
        return Response(
            {
                **selectors.progress_summary(child=child),
                "achievements": selectors.achievements_for(child=child),
            }
        )
