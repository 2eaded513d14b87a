"""What the ASGI server (uvicorn) logs about a client's garbage: one line, never a traceback.

uvicorn's websockets-sansio protocol closes a socket whose text frame is not UTF-8 with 1007,
as the websocket standard asks, and then logs the decoding error with its stack trace at ERROR.
Nothing is wrong with the server then: the record keeps its sentence, loses the trace and is
logged as a warning.
"""

from __future__ import annotations

import logging

SERVER_LOGGER = "uvicorn.error"
CLIENT_GARBAGE = ("Invalid UTF-8 sequence received from client.",)


class ClientGarbageIsOneLine(logging.Filter):
    """Turns the server's report of a client's garbage into one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in CLIENT_GARBAGE:
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"{record.msg} Closed the socket (1007)."
        return True


def quiet_client_garbage() -> None:
    """Install :class:`ClientGarbageIsOneLine` on uvicorn's logger (idempotent)."""
    server_logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, ClientGarbageIsOneLine) for f in server_logger.filters):
        server_logger.addFilter(ClientGarbageIsOneLine())
