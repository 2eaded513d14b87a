"""A passkey added (in the app over allauth's headless API, or on the web) must come with a
credential object.

allauth's form checks the credential only ``if credential:``, so ``{"credential": false}`` (or
0, ``{}``, ``"{}"``) skipped the WebAuthn ceremony and was stored as a passkey with no key:
the account then had a second factor nobody holds, recovery codes were made for it, and every
answer listing it was a 500 with a traceback (found by schemathesis on the account document).
The web's form was the same. A credential that is not a JSON object with something in it is
answered here as allauth answers a wrong one: ``incorrect_code`` on ``credential`` (a 400 in the
app; the form again on the web, MFA_FORMS["add_webauthn"]).
"""

from __future__ import annotations

import json
from typing import Any

from allauth.mfa.adapter import get_adapter
from allauth.mfa.webauthn.forms import AddWebAuthnForm
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


class AddPasskeyForm(AddWebAuthnForm):
    """allauth's "add a passkey" form on the web, its credential an object with something in it
    before allauth's own checks (which ran only for a truthy one)."""

    def clean_credential(self) -> Any:
        credential = self.cleaned_data["credential"]
        if not isinstance(credential, dict) or not credential:
            raise get_adapter().validation_error("incorrect_code")
        return credential
