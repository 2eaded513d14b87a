"""Staff admin: the achievement catalogue is editable; the ledger and awards are evidence."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin_pages import ShowOnly
from gamification.models import Achievement, AchievementAward, ChildProgress, DailyQuest, XPEvent


class ReadOnlyAdmin(ShowOnly, admin.ModelAdmin):
    """Rows written only by the payout service: staff may look, never change."""


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = (
        "icon",
        "name_en",
        "name_ko",
        "slug",
        "tier",
        "mystery",
        "xp_reward",
        "is_active",
    )
    list_display_links = ("name_en",)
    list_editable = ("is_active",)
    list_filter = ("tier", "mystery", "is_active")
    search_fields = ("slug", "name_en", "name_ko")
    ordering = ("sort_order", "slug")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The slug ties the row to its rule in code.
        return ("slug",) if obj is not None else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an achievement without a rule in code could never be earned


@admin.register(XPEvent)
class XPEventAdmin(ReadOnlyAdmin):
    list_display = ("child", "amount", "source_type", "source_id", "reason", "created_at")
    list_filter = ("source_type",)
    search_fields = ("child__nickname", "source_id")
    list_select_related = ("child",)


@admin.register(AchievementAward)
class AchievementAwardAdmin(ReadOnlyAdmin):
    list_display = ("child", "achievement", "awarded_at")
    list_filter = ("achievement",)
    list_select_related = ("child", "achievement")


@admin.register(ChildProgress)
class ChildProgressAdmin(ReadOnlyAdmin):
    list_display = (
        "child",
        "xp_total",
        "drawings_done",
        "current_streak",
        "best_streak",
        "streak_freezes",
        "last_active_day",
    )
    list_select_related = ("child",)


@admin.register(DailyQuest)
class DailyQuestAdmin(ReadOnlyAdmin):
    list_display = ("child", "day", "slug", "progress", "target", "completed_at")
    list_filter = ("day",)
    list_select_related = ("child",)
