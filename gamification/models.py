"""The XP ledger, a child's cached progress, achievements and daily quests.

The ledger (``XPEvent``) is the truth: append-only, and unique on its source, so a
drawing, a quest or an achievement can pay a child at most once. ``ChildProgress``
caches the total and the counters the rules judge; it is locked while a payout
changes it and can be rebuilt from the ledger and the drawings at any time.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Child
from drawings.models import Drawing


class Tier(models.TextChoices):
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")


class XPSource(models.TextChoices):
    DRAWING = "drawing", _("A finished picture")
    QUEST = "quest", _("A daily quest")
    ACHIEVEMENT = "achievement", _("An achievement")


class XPEvent(models.Model):
    """One payment of XP to a child. Never changed or deleted by the app."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="xp_events")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=120)
    source_type = models.CharField(max_length=20, choices=XPSource.choices)
    source_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("XP event")
        verbose_name_plural = _("XP events")
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=["child", "source_type", "source_id"], name="xp_paid_once_per_source"
            ),
        )

    def __str__(self) -> str:
        return f"+{self.amount} XP to {self.child_id} for {self.source_type}:{self.source_id}"


def _empty_dict() -> dict[str, Any]:
    return {}


def _empty_list() -> list[Any]:
    return []


class ChildProgress(models.Model):
    """A child's cached XP total and the counters achievements and quests are judged on.

    Everything here can be recomputed (``rebuild_xp_totals``, ``backfill_gamification``).
    """

    child = models.OneToOneField(
        Child, on_delete=models.CASCADE, primary_key=True, related_name="progress"
    )
    xp_total = models.PositiveIntegerField(default=0)
    drawings_done = models.PositiveIntegerField(default=0)
    # {"panda": 3, "face": 1}: the keys are the categories tried.
    category_counts = models.JSONField(default=_empty_dict, blank=True)
    weekend_drawings = models.PositiveIntegerField(default=0)
    early_drawings = models.PositiveIntegerField(default=0)
    quests_completed = models.PositiveIntegerField(default=0)
    # Streaks are counted in the child's local days.
    current_streak = models.PositiveIntegerField(default=0)
    best_streak = models.PositiveIntegerField(default=0)
    streak_freezes = models.PositiveSmallIntegerField(default=0)
    freezes_used = models.PositiveIntegerField(default=0)
    last_active_day = models.DateField(null=True, blank=True)
    days_active = models.PositiveIntegerField(default=0)
    comebacks = models.PositiveIntegerField(default=0)
    # The child's last active day: how many pictures, in which categories.
    day_drawings = models.PositiveIntegerField(default=0)
    day_categories = models.JSONField(default=_empty_list, blank=True)
    # The current quest week (Monday to Sunday): one bit per day with a picture.
    week_start = models.DateField(null=True, blank=True)
    week_days = models.PositiveSmallIntegerField(default=0)
    full_weeks = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("child's progress")
        verbose_name_plural = _("children's progress")

    def __str__(self) -> str:
        return f"progress of {self.child_id}: {self.xp_total} XP"

    @property
    def categories_tried(self) -> set[str]:
        return {slug for slug, count in self.category_counts.items() if count}


class Achievement(models.Model):
    """An achievement as children see it. Its rule lives in code (``gamification.rules``).

    Rows are created from the code's definitions after ``migrate`` (or by
    ``sync_achievements``); staff may then edit the texts, icon, tier and reward.
    """

    slug = models.SlugField(max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_ko = models.CharField(_("name (Korean)"), max_length=80)
    description_en = models.CharField(_("description (English)"), max_length=200)
    description_ko = models.CharField(_("description (Korean)"), max_length=200)
    icon = models.CharField(_("icon"), max_length=16, help_text=_("An emoji."))
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.BRONZE)
    mystery = models.BooleanField(
        _("mystery"), default=False, help_text=_("Shown as “?” until a child earns it.")
    )
    xp_reward = models.PositiveIntegerField(_("XP reward"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("can be earned"), default=True)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ("sort_order", "slug")

    def __str__(self) -> str:
        return self.name_en


class AchievementAward(models.Model):
    """A child earned an achievement (once, ever)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="achievement_awards")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="awards")
    drawing = models.ForeignKey(
        Drawing, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("achievement earned")
        verbose_name_plural = _("achievements earned")
        ordering = ("awarded_at", "id")
        constraints = (
            models.UniqueConstraint(fields=["child", "achievement"], name="award_once_per_child"),
        )

    def __str__(self) -> str:
        return f"{self.achievement_id} for {self.child_id}"


class DailyQuest(models.Model):
    """One of a child's quests for one local day, and how far the child got."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="daily_quests")
    day = models.DateField()
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    target = models.PositiveSmallIntegerField(default=1)
    progress = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("daily quest")
        verbose_name_plural = _("daily quests")
        ordering = ("day", "position")
        constraints = (
            models.UniqueConstraint(
                fields=["child", "day", "slug"], name="one_quest_per_slug_per_day"
            ),
        )
        indexes = (models.Index(fields=["child", "day"], name="quests_child_day"),)

    def __str__(self) -> str:
        return f"{self.slug} for {self.child_id} on {self.day}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
