"""Paging that refuses what the schema forbids: ``page`` and ``page_size`` are whole numbers in
their declared range, or the answer is a 400 naming the parameter.

DRF's own paginators quietly read ``page=`` as the first page and ``page_size=null`` (or 1000)
as the default (or the cap); a client generated from the schema is then told one thing and
served another. Here the schema declares ``minimum``/``maximum`` and the server checks exactly
that.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request

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


class StrictPageNumberPagination(PageNumberPagination):
    """Numbered pages (``page`` from 1, ``page_size`` from 1 to ``max_page_size``)."""

    page_size_query_param = "page_size"
    max_page_size = PAGE_SIZE_MAX

    def get_page_size(self, request: Request) -> int | None:
        size = whole_number(request, "page_size", minimum=1, maximum=self.max_page_size)
        return self.page_size if size is None else size

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        whole_number(request, self.page_query_param, minimum=1, maximum=None)
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        _declare_range(parameters, self.page_query_param, minimum=1, maximum=None)
        return _declare_range(parameters, "page_size", minimum=1, maximum=self.max_page_size)


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
