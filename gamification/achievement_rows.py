"""The achievements' database rows, made from the rules in code (``gamification.rules``): after
``migrate`` (``GamificationConfig``), by ``manage.py sync_achievements``, and by a payout that
meets a rule whose row is missing."""

from __future__ import annotations

from gamification import rules
from gamification.models import Achievement


def sync_achievements(*, overwrite: bool = False) -> tuple[int, int]:
    """Create the database rows of achievements defined in ``gamification.rules``.

    Rows that exist keep their admin-edited texts unless ``overwrite`` is set.
    Returns ``(created, updated)``.
    """
    created = updated = 0
    for order, rule in enumerate(rules.ACHIEVEMENTS):
        defaults = {
            "name_en": rule.name_en,
            "name_ko": rule.name_ko,
            "description_en": rule.description_en,
            "description_ko": rule.description_ko,
            "icon": rule.icon,
            "tier": rule.tier,
            "mystery": rule.mystery,
            "xp_reward": rule.xp_reward,
            "sort_order": order,
        }
        if overwrite:
            _, was_created = Achievement.objects.update_or_create(slug=rule.slug, defaults=defaults)
            updated += not was_created
        else:
            _, was_created = Achievement.objects.get_or_create(slug=rule.slug, defaults=defaults)
        created += was_created
    return created, updated


def achievement_rows() -> dict[str, Achievement]:
    """Every achievement row by slug, the missing ones created first."""
    rows = {a.slug: a for a in Achievement.objects.all()}
    if any(rule.slug not in rows for rule in rules.ACHIEVEMENTS):
        sync_achievements()
        rows = {a.slug: a for a in Achievement.objects.all()}
    return rows
