"""The API's edge: every error in one shape, ``{"code", "detail", "field_errors"}``.

``code`` is stable (clients branch on it, :mod:`core.error_codes`), ``detail`` is a sentence a
person can act on, in the request's language, and ``field_errors`` (validation errors only)
names the fields. Every :class:`~core.errors.ApplicationError` (a rejected submission, sketch or
child profile, a generator problem) is mapped here, once, to its fields and to the status its
code answers with (``STATUS_OF_CODE``); views just let it rise. What a client can break in the
request itself — too many form fields, a body Django will not parse — is a 400 in the same
shape, never a traceback in the log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core import error_codes as codes
from core.errors import NON_FIELD, ApplicationError

# 401s that say something more useful than "Please sign in first."
OWN_401_CODES = frozenset({codes.TOKEN_IN_ADDRESS})

# The status an ApplicationError's code answers with; any other code is input to fix (400).
STATUS_OF_CODE = {
    codes.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    codes.EMAIL_NOT_VERIFIED: status.HTTP_403_FORBIDDEN,
    codes.NOT_FAILED: status.HTTP_409_CONFLICT,
    codes.NOT_DONE: status.HTTP_409_CONFLICT,
    codes.NO_NEW_COLOURS: status.HTTP_409_CONFLICT,
    codes.TOO_MANY_VERSIONS: status.HTTP_409_CONFLICT,
    codes.CLIENT_ID_CONFLICT: status.HTTP_409_CONFLICT,
    codes.TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    codes.GENERATOR_UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
    codes.SUGGESTIONS_UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
    codes.SUGGESTIONS_BUSY: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _first_message(value: Any) -> str:
    if isinstance(value, list | tuple) and value:
        return _first_message(value[0])
    if isinstance(value, dict) and value:
        return _first_message(next(iter(value.values())))
    return str(value)


def _first_code(found: Any, default: str) -> str:
    if isinstance(found, str):
        return found
    if isinstance(found, list | tuple) and found:
        return _first_code(found[0], default)
    if isinstance(found, dict) and found:
        return _first_code(next(iter(found.values())), default)
    return default


def _as_validation_error(exc: ApplicationError) -> exceptions.ValidationError:
    error = exceptions.ValidationError(exc.field_errors, code=exc.code)
    error.status_code = STATUS_OF_CODE.get(exc.code, status.HTTP_400_BAD_REQUEST)
    return error


def _site_sentence(exc: Exception) -> tuple[str, str] | None:
    """``(code, sentence)`` where the site says it better than the framework's default."""
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        if _first_code(exc.get_codes(), "") in OWN_401_CODES:
            return None
        return codes.NOT_SIGNED_IN, _("Please sign in first.")
    if (
        isinstance(exc, exceptions.PermissionDenied)
        and exc.detail == exceptions.PermissionDenied.default_detail
    ):
        return codes.NOT_ALLOWED, _("You can't do that here. Is the right person signed in?")
    if isinstance(exc, exceptions.ParseError):
        return codes.UNREADABLE_REQUEST, _("We couldn't read what was sent. Please try again.")
    if isinstance(exc, exceptions.Throttled):
        return codes.THROTTLED, _("That's a lot at once! Please wait a moment and try again.")
    return None


def friendly_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        exc = _as_validation_error(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ValidationError(
            {NON_FIELD: [_("This is too big to send. Please send a smaller picture.")]},
            code=codes.TOO_LARGE,
        )
        exc.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    elif isinstance(exc, SuspiciousOperation):
        # Too many form fields, a malformed multipart body...: the client's mistake, a 400.
        exc = exceptions.ParseError()
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = _first_code(
        exc.get_codes() if isinstance(exc, exceptions.APIException) else None, codes.ERROR
    )
    if isinstance(exc, exceptions.ValidationError) and isinstance(data, dict):
        field_errors = {
            name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in data.items()
        }
        body: dict[str, Any] = {
            "code": code,
            "detail": _first_message(data),
            "field_errors": field_errors,
        }
    elif isinstance(exc, exceptions.ValidationError):
        body = {"code": code, "detail": _first_message(data)}
    else:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        body = {"code": code, "detail": str(detail)}
    sentence = _site_sentence(exc)
    if sentence is not None:
        body["code"], body["detail"] = sentence
    if response.status_code == status.HTTP_401_UNAUTHORIZED and code not in OWN_401_CODES:
        body["code"], body["detail"] = codes.NOT_SIGNED_IN, _("Please sign in first.")
    response.data = body
    return response
