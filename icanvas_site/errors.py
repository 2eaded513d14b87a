"""Transitional, for ``inference`` alone: its errors still derive from this name and still pass
the ``status`` they used to carry. The root is :class:`core.errors.ApplicationError` and the API
maps codes to statuses (``core.api``); once ``inference`` imports ``core.errors`` this file goes,
with the two ``ignore_imports`` that allow it in pyproject.toml.
"""

from __future__ import annotations

from core.errors import ApplicationError as _Root


class ApplicationError(_Root):
    """:class:`core.errors.ApplicationError`, accepting (and dropping) the old ``status``."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field)
