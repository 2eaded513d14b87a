"""The parents' accounts: sign-in and its lock-out, allauth (verified email, second factor,
reauthentication, the app's headless API), mail, API tokens and play mode.
"""

from datetime import timedelta

from icanvas_site.settings.environment import env

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
# second factor (TOTP, passkeys, recovery codes), and a fresh sign-in before sensitive actions.
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
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "iCanvas"
MFA_FORMS = {"add_webauthn": "accounts.passkey_credentials.AddPasskeyForm"}  # a credential object
# Passkeys (WebAuthn): as a second factor, and to sign in with a passkey alone. The relying party
# (id and name) is the host the parent opened, allauth's default without django.contrib.sites, so a
# passkey made on icanvas.example works there only (ALLOWED_HOSTS says which hosts). Browsers and
# fido2 accept https origins and http://localhost (what the tests use); allauth's
# WEBAUTHN_ALLOW_INSECURE_ORIGIN accepts *every* origin: a developer's plain-http host only.
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
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

# Play mode: PIN attempts allowed before a child's profile is locked for a while.
PIN_MAX_FAILURES = env.int("PIN_MAX_FAILURES", default=5)
# "Leave play mode": wrong parent passwords are slowed, never locked out (accounts/playmode.py).
LEAVE_PLAY_FREE_TRIES = env.int("LEAVE_PLAY_FREE_TRIES", default=3)
LEAVE_PLAY_FIRST_DELAY = env.int("LEAVE_PLAY_FIRST_DELAY", default=5)
LEAVE_PLAY_MAX_DELAY = env.int("LEAVE_PLAY_MAX_DELAY", default=60)
PIN_LOCK_SECONDS = env.int("PIN_LOCK_SECONDS", default=15 * 60)
