"""Reads of a family: always scoped to the parent who asks."""

from __future__ import annotations

from django.db.models import ExpressionWrapper, F, IntegerField, QuerySet, Value
from django.utils import timezone

from accounts.models import Child, User


def family_children(*, parent: User) -> QuerySet[Child]:
    """The parent's own children, oldest profile first, each with an approximate ``age``.

    Only the birth year is kept, so ``age`` is this year minus the birth year.
    """
    this_year = timezone.localdate().year
    return Child.objects.filter(parent=parent).annotate(
        age=ExpressionWrapper(Value(this_year) - F("birth_year"), output_field=IntegerField())
    )


def family_child(*, parent: User, child_id: int) -> Child | None:
    """One of the parent's own children, or None (also for another family's child)."""
    return family_children(parent=parent).filter(pk=child_id).first()
