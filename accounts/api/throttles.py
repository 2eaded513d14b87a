"""Throttles of the account endpoints, counted in the cache (Redis in production).

Sign-in is limited per email and per IP address (on top of django-axes' lock-out after
``SIGN_IN_FAILURE_LIMIT`` wrong passwords), sign-up per IP, the PIN per child and IP (on top of
the PIN lock the web shares), leaving play mode per token. "Per IP" is the client's address as
``core.client_address`` says (forwarded headers only from ``TRUSTED_PROXIES``). Over a limit:
429 with ``Retry-After`` and the site's sentence.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.views import APIView

from core.throttling import ClientAddressThrottle


class _SettingRateThrottle(ClientAddressThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting))

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignInEmailThrottle(_SettingRateThrottle):
    scope = "sign_in_email"
    setting = "SIGN_IN_RATE_PER_EMAIL"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        data: Any = request.data if request.method == "POST" else {}
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.key_for(email.strip().lower()[:254])


class SignInIPThrottle(_SettingRateThrottle):
    scope = "sign_in_ip"
    setting = "SIGN_IN_RATE_PER_IP"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.key_for(self.get_ident(request)) if request.method == "POST" else None


class SignUpThrottle(SignInIPThrottle):
    scope = "sign_up_ip"
    setting = "SIGN_UP_RATE_PER_IP"


class PinThrottle(_SettingRateThrottle):
    scope = "play_pin"
    setting = "PIN_RATE"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        child_id = view.kwargs.get("pk") if hasattr(view, "kwargs") else None
        return self.key_for(f"{child_id}-{self.get_ident(request)}")


class LeavePlayThrottle(_SettingRateThrottle):
    scope = "leave_play"
    setting = "LEAVE_PLAY_RATE"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        token = getattr(request, "auth", None)
        public_id = getattr(token, "public_id", None)
        return self.key_for(str(public_id)) if public_id else self.key_for(self.get_ident(request))
