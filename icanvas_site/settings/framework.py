"""Django itself: the installed apps, the middleware, the URL and server entry points, the
templates, languages, static files and logging.
"""

from icanvas_site.settings.environment import BASE_DIR, env

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's list of passkeys says "3 minutes ago" with it
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
    # TOTP, passkeys + recovery codes, reauthentication; headless is the same over REST for the app.
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
    # Just below the sessions: a request moves its session's idle expiry on (at most once a minute).
    "accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PlayModeMiddleware",
    "accounts.reset_keys.ResetKeyShapeMiddleware",
    "accounts.passkey_credentials.PasskeyCredentialMiddleware",
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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
