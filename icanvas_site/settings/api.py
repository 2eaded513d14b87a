"""The REST API: DRF's defaults, the OpenAPI schema, and the rate limits of the endpoints."""

from icanvas_site.settings.environment import env

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
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StrictCursorPagination",
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
