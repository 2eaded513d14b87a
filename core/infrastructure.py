"""What "the infrastructure is down" looks like from the code: the errors of an unreachable
database or Redis (cache and channel layer), or a mail server that cannot take our mail. Answered
as 503 + ``Retry-After`` over HTTP and a 1013 ("try again later") close on a socket, with one log
line, never a traceback per request."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class MailUnavailable(Exception):
    """The mail server (``EMAIL_URL``) could not take a mail: nothing was sent."""


INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    MailUnavailable,
)
RETRY_AFTER_SECONDS = 10
TRY_AGAIN_LATER = 1013  # the websocket close code for a server that cannot serve now


def describe(error: BaseException) -> str:
    """One line naming what failed, for the log (no traceback: the cause is known)."""
    if isinstance(error, MailUnavailable):
        what = "the mail server"
    elif isinstance(error, OperationalError | InterfaceError):
        what = "the database"
    else:
        what = "Redis"
    return f"{what} is unreachable ({type(error).__name__}: {str(error).splitlines()[0][:200]})"
