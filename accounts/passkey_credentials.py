"""A passkey the app adds over allauth's headless API must come with a credential object.

allauth's form checks the credential only ``if credential:``, so ``{"credential": false}`` (or
0, ``{}``, ``"{}"``) skipped the WebAuthn ceremony and was stored as a passkey with no key:
the account then had a second factor nobody holds, recovery codes were made for it, and every
answer listing it was a 500 with a traceback (found by schemathesis on the account document).
A credential that is not a JSON object with something in it is answered here as allauth answers
a wrong one: 400 ``incorrect_code`` on ``credential``.
"""

from __future__ import annotations

import json

from allauth.mfa.adapter import get_adapter
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.middleware import AsyncCapableMiddleware

ADD_PASSKEY_PATH = "/api/v1/auth/app/account/authenticators/webauthn"


def _refused(request: HttpRequest) -> HttpResponse | None:
    if request.path != ADD_PASSKEY_PATH or request.method != "POST":
        return None
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None  # allauth refuses a body that is not JSON itself
    if not isinstance(body, dict) or "credential" not in body:
        return None  # allauth's own checks answer
    if isinstance(body["credential"], dict) and body["credential"]:
        return None  # a credential object: allauth checks it
    message = str(get_adapter().error_messages["incorrect_code"])
    error = {"message": message, "code": "incorrect_code", "param": "credential"}
    return JsonResponse({"status": 400, "errors": [error]}, status=400)


class PasskeyCredentialMiddleware(AsyncCapableMiddleware):
    """Answers a headless "add a passkey" whose credential is no object with allauth's 400."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return _refused(request) or self.get_response(request)

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        return _refused(request) or await self.get_response(request)
