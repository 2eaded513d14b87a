"""Settings for iCanvas, read from the environment.

With no environment at all the project runs in its embedded default: SQLite, the
in-memory channel layer, local media files, CPU inference and the inference worker
inside the ASGI server process. Production switches are environment variables
(see README "Production settings").
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ

# Lets `admin.ModelAdmin[Drawing]` and friends work at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default needs a key to start; production must set its own
# (manage.py check --deploy flags this one as insecure on purpose).
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-embedded-default-change-me-in-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served from here, not a CDN
    "csp",
    "channels",
    "axes",
    "knox",
    # The parents' account life (accounts/adapters.py): verified email, reset by mail, notices,
    # TOTP + recovery codes, reauthentication; headless is the same over REST for the app.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "core",
    "accounts",
    "drawings",
    "gamification",
    "sharing",
    "family",
    "inference",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "icanvas_site.headers.PermissionsPolicyMiddleware",
    # WhiteNoise, sync and async capable: every middleware here is, so under ASGI a request
    # stays on the event loop until its (sync) view runs in the request's thread.
    "icanvas_site.static_files.AsyncWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PlayModeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "icanvas_site.error_pages.RefusedAdminLookupMiddleware",
    "icanvas_site.health.InfrastructureDownMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into accounts.lockout's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "icanvas_site.urls"
ASGI_APPLICATION = "icanvas_site.asgi.application"
WSGI_APPLICATION = "icanvas_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.play_mode",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker writes from a thread while requests write from others:
    # wait for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # SQLite keeps CONN_MAX_AGE 0 (README "Production settings"): the embedded default is one
    # ASGI process, where a kept connection is never reused (see below).
else:
    # PostgreSQL: CONN_MAX_AGE seconds to keep a connection, checked before reuse so a restarted
    # database costs no error. 0 by default: under ASGI each request's sync code runs in a
    # thread of its own, so a kept connection is never reused, only left open (measured with
    # scripts/web_rss.py). Set it (e.g. 60) for `manage.py inference_worker` processes, whose
    # database work runs in one thread and reuses it.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out email or IP first
    "django.contrib.auth.backends.ModelBackend",
    # allauth's sign-in (the app's headless login) asks with email=...; axes counts it the same.
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Sign-in lock-out (django-axes): failures counted in the cache per email *and* address together,
# so one address cannot lock a family out elsewhere; an address guessing many accounts is slowed
# down instead (accounts.guessing: free failures, then waits doubling up to the maximum).
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGN_IN_FREE_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FREE_FAILURES_PER_ADDRESS", default=20)
SIGN_IN_FIRST_DELAY = env.int("SIGN_IN_FIRST_DELAY", default=1)
SIGN_IN_MAX_DELAY = env.int("SIGN_IN_MAX_DELAY", default=60)
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's email field (Django's name for it)
AXES_USERNAME_CALLABLE = "accounts.lockout.signed_in_name"  # the web's username, allauth's email
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_VERBOSE = False
# The client's address (throttles, the lock-out): X-Forwarded-For is read only when the peer is
# one of these proxies (addresses or networks, comma separated; none by default). Give uvicorn's
# --forwarded-allow-ips the same list (docs/deploy.md).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # OWASP ASVS L2; existing shorter ones still sign in
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:family"
LOGOUT_REDIRECT_URL = "home"

# Parents' account life (django-allauth; README "Accounts"): an email is verified before a child
# can be added, reset by mail, notices of changes, a new address confirmed where it arrives, a
# second factor (TOTP + recovery codes), and a fresh sign-in before sensitive actions.
ACCOUNT_ADAPTER = "accounts.adapters.ParentAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True  # only in the session that signed up
ACCOUNT_CHANGE_EMAIL = True  # a new address replaces the old one only once it is confirmed
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password changed, email changed, second factor changed
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_SECONDS", default=300)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[iCanvas] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # allauth keeps this session; accounts ends the rest
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "iCanvas"
# The mobile app: allauth's headless API at /api/v1/auth/app/..., its session token for the
# account steps, a knox device token (accounts.adapters.DeviceTokenStrategy) for everything else.
HEADLESS_CLIENTS = ["app"]
HEADLESS_TOKEN_STRATEGY = "accounts.adapters.DeviceTokenStrategy"  # noqa: S105 - a class path
HEADLESS_SERVE_SPECIFICATION = False
# Links in mails open the site's own pages; the app can also read the key from them.
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/signup/",
}

# Mail: SMTP from EMAIL_URL in production (smtp+tls://user:password@host:587); printed to the
# console by default, where `make run` shows it.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="iCanvas <no-reply@icanvas.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: drawings go through views that check the family

# Files: local media by default; S3-compatible storage when a bucket is named.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedStaticFilesStorage",
        )
    },
}

# Channels: in-memory in one process by default, Redis for several processes.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis' layer whose readers always end when cancelled (Python 3.11).
            "BACKEND": "icanvas_site.channel_layer.CancellableRedisChannelLayer",
            "CONFIG": {
                # redis-py's 5 s socket timeout equals channels_redis' 5 s blocking read on an
                # idle channel, so the read timed out first and crashed the socket's consumer:
                # the socket waits longer than the read.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=15.0),
                    }
                ],
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The cache holds counters that must agree across processes (sockets per child, throttles):
# Redis where there is one, this process's memory otherwise.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "icanvas",
        }
    }
else:
    # One process (the embedded default): its memory is the one place every request sees, so
    # django-axes' warning about a per-process cache does not apply here.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

# API tokens (django-rest-knox): one per device, only their SHA-512 stored, sent as
# "Authorization: Bearer <token>". A parent's token lasts API_TOKEN_DAYS and is renewed while
# used (never past API_TOKEN_MAX_DAYS from sign-in); a child's play token lasts
# PLAY_TOKEN_HOURS. Parent tokens start "icp_", play tokens "icc_" (secret scanners know them).
# knox's own migrations create its AuthToken table even when the model is swapped (its
# 0001 lacks the swappable option), a table nobody uses whose foreign key to the users then
# blocks PostgreSQL from truncating them: the swapped-out app gets no migrations at all.
MIGRATION_MODULES = {"knox": None}
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=30)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env.int("API_TOKEN_MAX_DAYS", default=90)),
    "MIN_REFRESH_INTERVAL": 3600,
    "TOKEN_PREFIX": "icp_",
}
PLAY_TOKEN_TTL = timedelta(hours=env.int("PLAY_TOKEN_HOURS", default=12))
API_TOKEN_MAX_PER_PARENT = env.int("API_TOKEN_MAX_PER_PARENT", default=20)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies only: the schema offers one content type per operation, and generated clients
    # send exactly that. The two uploads (drawings, suggestions) take multipart on their own.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.friendly_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "iCanvas API",
    "DESCRIPTION": "Sketches in, pictures out, for the iCanvas mobile app.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response shapes apart: an upload's file is `format: binary` (a file picker in
    # /api/docs/, a file in generated clients), read-only fields stay out of request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    # consent and confirm are one "yes" each (core.serializers.MustBeTrueField): one name.
    "ENUM_NAME_OVERRIDES": {"MustBeTrueEnum": [(True, True)]},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "icanvas_site.api_schema.add_error_responses",
    ],
}

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
# "What did you draw?": the canvas asks after each pause of the pen, at most every few seconds.
SUGGESTION_RATE = env.str("SUGGESTION_RATE", default="30/min")
# Sketches a child (and a family's children together) may submit: drawings/api/throttles.py.
# The account endpoints of the API (accounts/api/throttles.py).
SIGN_IN_RATE_PER_EMAIL = env.str("SIGN_IN_RATE_PER_EMAIL", default="10/min")
SIGN_IN_RATE_PER_IP = env.str("SIGN_IN_RATE_PER_IP", default="30/min")
SIGN_UP_RATE_PER_IP = env.str("SIGN_UP_RATE_PER_IP", default="10/hour")
PIN_RATE = env.str("PIN_RATE", default="10/min")
LEAVE_PLAY_RATE = env.str("LEAVE_PLAY_RATE", default="10/min")
SUBMISSION_RATE_PER_CHILD = env.str("SUBMISSION_RATE_PER_CHILD", default="20/min")
SUBMISSION_RATE_PER_FAMILY = env.str("SUBMISSION_RATE_PER_FAMILY", default="40/min")
# "New colours" (🎲) per child, on top of the submission limits a re-roll also counts against.
NEW_COLOURS_RATE = env.str("NEW_COLOURS_RATE", default="12/min")
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

# Inference.
GENERATORS_DIR = Path(env.str("GENERATORS_DIR", default=str(BASE_DIR / "generators")))
INFERENCE_DEVICE = env.str("INFERENCE_DEVICE", default="cpu")
INFERENCE_THREADS = env.int("INFERENCE_THREADS", default=0)  # 0: torch's default
INFERENCE_EMBEDDED_WORKER = env.bool("INFERENCE_EMBEDDED_WORKER", default=True)
# "What did you draw?" with the worker elsewhere (drawings/remote_suggestions.py): how long the
# web process waits for a worker's guess before answering "no guesses right now".
SUGGESTIONS_TIMEOUT_SECONDS = env.float("SUGGESTIONS_TIMEOUT_SECONDS", default=2.0)
# "fast" serves (bf16/channels_last on CPU, fp16 on CUDA; within 2 levels alone or batched);
# "exact" is float32 and bit-identical in any batch, for audits (inference/runtime.py).
INFERENCE_PATH = env.str("INFERENCE_PATH", default="fast")
INFERENCE_COMPILE = env.bool("INFERENCE_COMPILE", default=False)  # torch.compile the fast copy
# What serves the fast path: "onnx" (ONNX Runtime, for a generator whose card records an
# exported graph; torch otherwise) or "torch" (inference/runtime.py, inference/engine.py).
INFERENCE_ENGINE = env.str("INFERENCE_ENGINE", default="onnx")
# Draw blank batches of every size at worker start-up, so no child waits for kernels.
INFERENCE_WARM_UP = env.bool("INFERENCE_WARM_UP", default=True)
# The largest batch a worker draws in one call (a GPU takes more: 32 or 64). 0 (the CPU's
# default): measured at start-up, the size that draws the most pictures a second on this machine
# (runtime.BATCH_CANDIDATES; 4 when the worker does not warm up).
INFERENCE_BATCH_SIZE = env.int(
    "INFERENCE_BATCH_SIZE", default=32 if INFERENCE_DEVICE.startswith("cuda") else 0
)
# How long a forming batch may wait for more drawings, only while the worker is busy (an idle
# worker draws a lone child's sketch at once); the batch also fills while the last one draws.
INFERENCE_BATCH_WINDOW_MS = env.int("INFERENCE_BATCH_WINDOW_MS", default=10)
# PNG level of stored pictures: on kids7c's pictures here level 1 took 3.8 ms and 62 KB, level 6
# (Pillow's default) 7.5 ms and 57 KB; WebP q85 7.1 ms and 8 KB, but downloads want PNG.
INFERENCE_PNG_COMPRESS_LEVEL = env.int("INFERENCE_PNG_COMPRESS_LEVEL", default=1)
INFERENCE_LEASE_SECONDS = env.int("INFERENCE_LEASE_SECONDS", default=120)
INFERENCE_REQUEUE_AFTER_SECONDS = env.int("INFERENCE_REQUEUE_AFTER_SECONDS", default=30)
INFERENCE_REAPER_INTERVAL_SECONDS = env.float("INFERENCE_REAPER_INTERVAL_SECONDS", default=10.0)
INFERENCE_MAX_ATTEMPTS = env.int("INFERENCE_MAX_ATTEMPTS", default=3)
# A worker renews a heartbeat on the drawings it holds; one silent for STALE seconds, or whose
# process is gone on the same host, loses them before the lease ends (keep clocks in sync).
INFERENCE_HEARTBEAT_SECONDS = env.float("INFERENCE_HEARTBEAT_SECONDS", default=5.0)
INFERENCE_HEARTBEAT_STALE_SECONDS = env.float(
    "INFERENCE_HEARTBEAT_STALE_SECONDS", default=3 * INFERENCE_HEARTBEAT_SECONDS
)
# The reaper deletes stored files no drawing refers to (a killed worker's picture) this often,
# once they are older than the grace period (so a file being written now is never touched).
STORED_FILES_SWEEP_EVERY_SECONDS = env.float("STORED_FILES_SWEEP_EVERY_SECONDS", default=3600.0)
STORED_FILES_SWEEP_GRACE_MINUTES = env.float("STORED_FILES_SWEEP_GRACE_MINUTES", default=30.0)

# Play mode: PIN attempts allowed before a child's profile is locked for a while.
PIN_MAX_FAILURES = env.int("PIN_MAX_FAILURES", default=5)
# "Leave play mode": wrong parent passwords are slowed, never locked out (accounts/playmode.py).
LEAVE_PLAY_FREE_TRIES = env.int("LEAVE_PLAY_FREE_TRIES", default=3)
LEAVE_PLAY_FIRST_DELAY = env.int("LEAVE_PLAY_FIRST_DELAY", default=5)
LEAVE_PLAY_MAX_DELAY = env.int("LEAVE_PLAY_MAX_DELAY", default=60)
PIN_LOCK_SECONDS = env.int("PIN_LOCK_SECONDS", default=15 * 60)

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
