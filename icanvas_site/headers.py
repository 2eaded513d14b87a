"""Headers every response carries that Django's own middleware does not set."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.middleware import AsyncCapableMiddleware

# A drawing site needs none of these; a page that asked for one would be a bug or an attack.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


class PermissionsPolicyMiddleware(AsyncCapableMiddleware):
    """Adds ``Permissions-Policy`` (browser features all off) unless a view set its own."""

    def respond(self, request: HttpRequest) -> HttpResponse:
        return self._headed(self.get_response(request))

    async def arespond(self, request: HttpRequest) -> HttpResponse:
        return self._headed(await self.get_response(request))

    @staticmethod
    def _headed(response: HttpResponse) -> HttpResponse:
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
