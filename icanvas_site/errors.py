"""The one root of every refusal a person can act on, shared by the apps and the engine.

It imports nothing (no Django, no app), so ``inference`` can derive its errors from it without
depending on any app; the API maps it once (``drawings.api.errors``).
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that can't be done, told so a person can act on it.

    ``message`` is for a person to read, ``code`` for a client to branch on, ``field`` names the
    input at fault (None: the request as a whole), and ``status`` is the HTTP status the API
    answers with.
    """

    code: str = "invalid"
    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        if status is not None:
            self.status = status
