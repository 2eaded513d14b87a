"""Headers every response carries that Django's own middleware does not set."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.middleware import AsyncCapableMiddleware

# A drawing site needs none of these; a page that asked for one would be a bug or an attack.
FEATURES_OFF = (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "screen-wake-lock", "serial", "usb",
    "xr-spatial-tracking",
)  # fmt: skip
# Passkeys (WebAuthn): made and used by the site's own pages only, never inside another's frame.
FEATURES_OF_THE_SITE_ONLY = ("publickey-credentials-create", "publickey-credentials-get")
PERMISSIONS_POLICY = ", ".join(
    [f"{feature}=()" for feature in FEATURES_OFF]
    + [f"{feature}=(self)" for feature in FEATURES_OF_THE_SITE_ONLY]
)


class PermissionsPolicyMiddleware(AsyncCapableMiddleware):
    """Adds ``Permissions-Policy`` (browser features off but passkeys) unless a view set its
    own."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return self._headed(self.get_response(request))

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        return self._headed(await self.get_response(request))

    @staticmethod
    def _headed(response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
