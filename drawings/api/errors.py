"""API errors as ``{"detail": ..., "field_errors": {...}}`` with a message a person can act on.

Every :class:`~icanvas_site.errors.ApplicationError` (a rejected submission or sketch, a
generator problem) is mapped here, once, to its status and field; views just let it rise.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from icanvas_site.errors import ApplicationError


def _first_message(value: Any) -> str:
    if isinstance(value, list | tuple) and value:
        return _first_message(value[0])
    if isinstance(value, dict) and value:
        return _first_message(next(iter(value.values())))
    return str(value)


def _as_validation_error(exc: ApplicationError) -> ValidationError:
    error = ValidationError({exc.field or "non_field_errors": [exc.message]}, code=exc.code)
    error.status_code = exc.status
    return error


def friendly_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        exc = _as_validation_error(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError) and isinstance(data, dict):
        field_errors = {
            name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in data.items()
        }
        response.data = {"detail": _first_message(data), "field_errors": field_errors}
    elif isinstance(exc, ValidationError):
        response.data = {"detail": _first_message(data)}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"])}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data["detail"] = "Please sign in first."
    return response
