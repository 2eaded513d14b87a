"""Every list of the API is paged by cursor, in one envelope ``{next, previous, results}``:
a cursor keeps its place while the list changes (a page number would shift and show an item
twice), and a client follows ``next`` the same way everywhere.

``page_size`` is a whole number in its declared range, or the answer is a 400 naming the
parameter: DRF's own paginators quietly read ``page_size=null`` (or 1000) as the default (or
the cap), so a client generated from the schema would be told one thing and served another. A
cursor the server did not make answers 404, as DRF's does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core import error_codes as codes
from core.serializers import query_once

PAGE_SIZE_MAX = 100


def whole_number(request: Request, name: str, *, minimum: int, maximum: int | None) -> int | None:
    """The query parameter ``name`` as an int in range, None when absent, else a 400."""
    raw = query_once(request, [name]).get(name)
    if raw is None:
        return None
    if raw.isascii() and raw.isdigit():
        value = int(raw)
        if value >= minimum and (maximum is None or value <= maximum):
            return value
    if maximum is None:
        message = _("%(name)s must be a whole number from %(min)d.") % {
            "name": name,
            "min": minimum,
        }
    else:
        message = _("%(name)s must be a whole number from %(min)d to %(max)d.") % {
            "name": name,
            "min": minimum,
            "max": maximum,
        }
    raise exceptions.ValidationError({name: [message]}, code=codes.INVALID)


def _declare_range(
    parameters: list[dict[str, Any]], name: str, *, minimum: int, maximum: int | None
) -> list[dict[str, Any]]:
    for parameter in parameters:
        if parameter["name"] == name:
            schema = {**parameter["schema"], "type": "integer", "minimum": minimum}
            if maximum is not None:
                schema["maximum"] = maximum
            parameter["schema"] = schema
    return parameters


class StrictCursorPagination(CursorPagination):
    """Newest first by cursor, ``page_size`` from 1 to ``max_page_size``."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX

    def get_page_size(self, request: Request) -> int | None:
        size = whole_number(request, "page_size", minimum=1, maximum=self.max_page_size)
        return self.page_size if size is None else size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        return _declare_range(parameters, "page_size", minimum=1, maximum=self.max_page_size)

    def decode_cursor(self, request: Request) -> Cursor | None:
        # Sent twice is a 400, as every parameter; one that decodes to no place at all (DRF
        # would read it as the first page) is a cursor this server never makes: a 404.
        query_once(request, [self.cursor_query_param])
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor == Cursor(offset=0, reverse=False, position=None):
            raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor


class ListCursorPagination(StrictCursorPagination):
    """The same cursor and envelope for a short list read into memory (avatars, quests,
    achievements) rather than a queryset.

    Each item has a place, a list of whole numbers in the list's order: ``place_key`` names the
    item's own entry holding it (the rest of the item is what the serializer shows), or
    without one the item's index. The cursor carries a place, so a page starts after (or ends
    before) the item it was made at, wherever the list's other items moved meanwhile.
    """

    place_key: str | None = None  # the list comes in order: no ``ordering`` is applied

    def paginate_queryset(  # type: ignore[override]
        self, queryset: Sequence[Any], request: Any, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.base_url = request.build_absolute_uri()
        size = self.get_page_size(request)
        placed = [(self._place_of(item, index), item) for index, item in enumerate(queryset)]
        direction, mark = self._read_cursor(request)
        if direction == "after":
            rest = [pair for pair in placed if pair[0] > mark]
            page, before, after = rest[:size], placed[: len(placed) - len(rest)], rest[size:]
        elif direction == "before":
            earlier = [pair for pair in placed if pair[0] < mark]
            cut = max(0, len(earlier) - (size or 0))
            page, before, after = earlier[cut:], earlier[:cut], placed[len(earlier) :]
        else:
            page, before, after = placed[:size], [], placed[size:]
        self._next = self._link("after", page[-1][0]) if page and after else None
        self._previous = self._link("before", page[0][0]) if page and before else None
        return [item for _place, item in page]

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self._next, "previous": self._previous, "results": data})

    def get_next_link(self) -> str | None:
        return self._next

    def get_previous_link(self) -> str | None:
        return self._previous

    def _place_of(self, item: Any, index: int) -> list[int]:
        if self.place_key is None:
            return [index]
        return list(item[self.place_key])

    def _link(self, direction: str, place: list[int]) -> str:
        raw = json.dumps({direction: place}, separators=(",", ":")).encode()
        encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return replace_query_param(str(self.base_url), self.cursor_query_param, encoded)

    def _read_cursor(self, request: Any) -> tuple[str | None, list[int]]:
        encoded = query_once(request, [self.cursor_query_param]).get(self.cursor_query_param)
        if encoded is None:
            return None, []
        if len(encoded) > 200:  # ours are short; a long one could nest JSON past the stack
            raise exceptions.NotFound(self.invalid_cursor_message)
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            cursor = json.loads(raw)
        except (binascii.Error, ValueError):
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        if isinstance(cursor, dict) and len(cursor) == 1:
            ((direction, place),) = cursor.items()
            if (
                direction in ("after", "before")
                and isinstance(place, list)
                and 0 < len(place) <= 4
                and all(type(part) is int for part in place)
            ):
                return direction, place
        raise exceptions.NotFound(self.invalid_cursor_message)
