"""Settings for iCanvas, read from the environment.

With no environment at all the project runs in its embedded default: SQLite, the
in-memory channel layer, local media files, CPU inference and the inference worker
inside the ASGI server process. Production switches are environment variables
(see README "Production settings").

The settings are grouped by concern, one module each; every group reads only
``environment``: ``environment`` (the environment itself, debug, secret key,
hosts), ``framework`` (apps, middleware, templates, languages, static files, logging),
``stores`` (database, files, channel layer, cache), ``accounts`` (sign-in, allauth, mail,
tokens, play mode), ``api`` (DRF, the schema, rate limits), ``security`` (CSP, cookies and
TLS, request and socket limits) and ``inference`` (the generator engine and its workers).
``DJANGO_SETTINGS_MODULE`` stays ``icanvas_site.settings``.
"""

from icanvas_site.settings.accounts import *  # noqa: F403
from icanvas_site.settings.api import *  # noqa: F403
from icanvas_site.settings.environment import *  # noqa: F403
from icanvas_site.settings.framework import *  # noqa: F403
from icanvas_site.settings.inference import *  # noqa: F403
from icanvas_site.settings.security import *  # noqa: F403
from icanvas_site.settings.stores import *  # noqa: F403
