"""ASGI entry point: HTTP, the /ws/ websocket, and (embedded mode) the inference worker."""

import os
from typing import Any
from urllib.parse import urlparse

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icanvas_site.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import (  # noqa: E402
    AllowedHostsOriginValidator,
    WebsocketDenier,
)
from django.conf import settings  # noqa: E402

from drawings.lifespan import EmbeddedWorkerLifespan  # noqa: E402
from drawings.routing import websocket_urlpatterns  # noqa: E402
from drawings.socket_auth import offers_token  # noqa: E402
from icanvas_site.body_guard import BodyGuard  # noqa: E402
from icanvas_site.server_logs import quiet_client_garbage  # noqa: E402

quiet_client_garbage()  # a client's non-UTF-8 text frame: one line, not a traceback

# Oversized or trickling bodies are refused here, before Django's handler reads them.
http_application = BodyGuard(
    django_asgi_app,
    limits=settings.REQUEST_BODY_LIMITS,
    default=settings.REQUEST_BODY_MAX_BYTES,
    body_timeout=settings.REQUEST_BODY_TIMEOUT,
)


class RefuseWithoutChannelLayer(WebsocketDenier):
    """Channels' refusal of a socket, without subscribing to the channel layer first (no such
    layer alias: ``get_channel_layer`` gives None). Channels' own denier subscribes, so with
    Redis away a socket from another origin was a 500 with a traceback in the log."""

    channel_layer_alias = "refusals need no channel layer"


class OriginCheckUnlessTokenOnly:
    """The Origin check stops other sites riding a browser's session cookie. A native client
    sends no Origin; with a token (which no other site can hold) it may come in without one,
    and then only the token counts (the consumer ignores cookies when a token is offered).
    A request that does send an Origin is still checked, token or not."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.checked = AllowedHostsOriginValidator(application)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origins = [value for key, value in scope.get("headers") or [] if key.lower() == b"origin"]
        if not origins and offers_token(scope):
            return await self.application(scope, receive, send)
        parsed = urlparse(origins[-1].decode("latin1")) if origins else None
        if self.checked.valid_origin(parsed):
            return await self.application(scope, receive, send)
        return await RefuseWithoutChannelLayer()(scope, receive, send)


websocket_application = OriginCheckUnlessTokenOnly(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
)

application = EmbeddedWorkerLifespan(
    ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})
)
