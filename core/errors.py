"""The one root of every refusal a person can act on, shared by the apps and the engine.

It imports nothing but the catalogue of codes (no Django, no app), so ``inference`` can derive
its errors from it without depending on any app. It says nothing of HTTP: the API maps codes to
statuses once (``core.api``), a page shows the sentences next to its form's fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

from core import error_codes

NON_FIELD = "non_field_errors"  # the request as a whole, as DRF and Django forms name it


class ApplicationError(Exception):
    """A request that can't be done, told so a person can act on it.

    ``message`` is for a person to read, ``code`` (one of :mod:`core.error_codes`) for a client
    to branch on, and ``field`` names the input at fault (None: the request as a whole).
    ``field_errors`` holds every input at fault and what to fix; :meth:`for_fields` makes an
    error of several at once.
    """

    code: str = error_codes.INVALID

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self._field_errors: dict[str, list[str]] | None = None

    @classmethod
    def for_fields(cls, errors: Mapping[str, Sequence[str]], *, code: str | None = None) -> Self:
        """One error for several inputs: ``errors`` maps each field to its sentences (the
        first one is the ``message``)."""
        field, sentences = next(iter(errors.items()))
        error = cls(sentences[0], code=code, field=field)
        error._field_errors = {name: list(texts) for name, texts in errors.items()}
        return error

    @property
    def field_errors(self) -> dict[str, list[str]]:
        if self._field_errors is not None:
            return self._field_errors
        return {self.field or NON_FIELD: [self.message]}

    @property
    def messages(self) -> list[str]:
        """Every sentence, field by field."""
        return [text for texts in self.field_errors.values() for text in texts]
