"""A password-reset key the app sends to allauth's headless API is checked for its shape first.

allauth splits a link's key at its first "-" into the user's base-36 id and the token; a key
with nothing before the "-" ("-abc") reaches ``base36_to_int(None)`` inside allauth, and one whose
id is 13 base-36 digits ("zzzzzzzzzzzzz-x") is a number the database cannot hold: both answered
500 with a traceback (found by schemathesis on the account document). So did a key sent as a
JSON number below zero (-5): allauth's field turns it into the text "-5". The key is read here as
allauth's field reads it (any JSON value as text, stripped); one without a base-36 id of at most
12 digits is answered the way allauth answers a wrong key: 400 ``invalid_password_reset``.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.middleware import AsyncCapableMiddleware

RESET_PATH = "/api/v1/auth/app/auth/password/reset"
KEY_SHAPE = re.compile(r"[0-9A-Za-z]{1,12}-")  # the user's id in base 36 (64 bits), then the token
# allauth's key field: a JSON number, list or object becomes its text (str()), then stripped.
AS_ALLAUTH_READS_IT = forms.CharField(required=False)


def _key(request: HttpRequest) -> str:
    if request.method == "GET":
        sent: object = request.headers.get("X-Password-Reset-Key")
    else:
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return ""  # allauth refuses a body that is not JSON itself
        sent = body.get("key") if isinstance(body, dict) else None
    return AS_ALLAUTH_READS_IT.to_python(sent) or ""


def _refused(request: HttpRequest) -> HttpResponse | None:
    if request.path != RESET_PATH or request.method not in {"GET", "POST"}:
        return None
    key = _key(request)
    if not key or KEY_SHAPE.match(key):
        return None  # absent, or shaped like a key: allauth's own checks answer
    error = {"message": "The password reset token was invalid.", "code": "invalid_password_reset",
             "param": "key"}  # fmt: skip
    return JsonResponse({"status": 400, "errors": [error]}, status=400)


class ResetKeyShapeMiddleware(AsyncCapableMiddleware):
    """Answers a malformed headless password-reset key with allauth's own 400."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return _refused(request) or self.get_response(request)

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        return _refused(request) or await self.get_response(request)
