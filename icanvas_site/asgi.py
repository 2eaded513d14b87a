"""ASGI entry point: HTTP, the /ws/ websocket, and (embedded mode) the inference worker."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icanvas_site.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from drawings.lifespan import EmbeddedWorkerLifespan  # noqa: E402
from drawings.routing import websocket_urlpatterns  # noqa: E402
from icanvas_site.body_guard import BodyGuard  # noqa: E402

# Oversized or trickling bodies are refused here, before Django's handler reads them.
http_application = BodyGuard(
    django_asgi_app,
    limits=settings.REQUEST_BODY_LIMITS,
    default=settings.REQUEST_BODY_MAX_BYTES,
    body_timeout=settings.REQUEST_BODY_TIMEOUT,
)

websocket_application = AllowedHostsOriginValidator(
    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
)

application = EmbeddedWorkerLifespan(
    ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})
)
