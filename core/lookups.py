"""``id__in`` with a number no integer column can hold matches nothing, as ``id=`` already does.

Django answers ``id=10**30`` with no rows (its exact lookup knows the column's range), but
``id__in=[10**30]`` reached SQLite's driver, which raised ``OverflowError``: a 500 with a
traceback for a client's garbage, e.g. allauth's headless "delete these passkeys" with an id of
30 digits (found by schemathesis on the account document). Here the out-of-range numbers are
left out of the list before it is sent; a list left empty matches nothing, as Django's own
``__in=[]`` does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    """``__in`` on an integer column, numbers outside the column's range left out."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            kind = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(kind)
            self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


def _outside(value: object, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return False
    return (low is not None and value < low) or (high is not None and value > high)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
