"""What the site refuses: the Content-Security-Policy, cookies and TLS, upload and request
body limits, and the live socket's limits.
"""

from icanvas_site.settings.environment import env

# Content-Security-Policy (django-csp): scripts and styles only from this site (no inline
# script anywhere; style attributes, which the level bars and crayon swatches use, allowed),
# images also from data:/blob: (the canvas's previews), nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploads: a sketch is at most 5 MB and 4096x4096 pixels.
SKETCH_MAX_BYTES = env.int("SKETCH_MAX_BYTES", default=5 * 1024 * 1024)
SKETCH_MAX_SIDE = env.int("SKETCH_MAX_SIDE", default=4096)
DATA_UPLOAD_MAX_MEMORY_SIZE = SKETCH_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SKETCH_MAX_BYTES + 1024 * 1024
# Request bodies, checked by icanvas_site.body_guard before Django reads them: a sketch upload
# may carry the sketch plus room for the form; every other request is small. A body must
# arrive within REQUEST_BODY_TIMEOUT seconds.
REQUEST_BODY_LIMITS = {
    "/api/v1/drawings/": SKETCH_MAX_BYTES + 256 * 1024,
    "/api/v1/suggestions/": SKETCH_MAX_BYTES + 256 * 1024,
}

REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=512 * 1024)
REQUEST_BODY_TIMEOUT = env.float("REQUEST_BODY_TIMEOUT", default=15.0)

# The live socket (drawings/consumers.py): the page pings every 25 s.
WS_IDLE_TIMEOUT = env.float("WS_IDLE_TIMEOUT", default=75.0)
WS_MAX_MESSAGE_BYTES = env.int("WS_MAX_MESSAGE_BYTES", default=4096)
# A child's magic-preview message carries the sketch as a PNG data URL (drawings/previews.py);
# keep it under uvicorn's --ws-max-size (Makefile: 65536).
WS_MAX_PREVIEW_BYTES = env.int("WS_MAX_PREVIEW_BYTES", default=60000)
WS_MAX_JSON_DEPTH = env.int("WS_MAX_JSON_DEPTH", default=8)
WS_MAX_SOCKETS_PER_CHILD = env.int("WS_MAX_SOCKETS_PER_CHILD", default=6)
# Sockets opened with a parent's device tokens (each hears the whole family), all devices together.
WS_MAX_SOCKETS_PER_PARENT = env.int("WS_MAX_SOCKETS_PER_PARENT", default=10)

# A web session (a parent's, and a child playing in it on the family's device) ends after
# SESSION_IDLE_MINUTES with no request (to within a minute: accounts.middleware renews it at
# most once a minute), and the sockets it opened close with it (4401 session_ended). 30 is
# OWASP ASVS level 2's idle limit (and NIST SP 800-63B's for AAL2): a device left alone
# does not stay signed in as the parent who consents for children. Django's default is two
# weeks from the last save, whatever happened meanwhile.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Security: strict by default in production, relaxed only for the local default.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
