"""Every error code the site answers with, in one place: clients branch on these, so they never
change once shipped.

A code names what went wrong, never how it is answered: the HTTP status of an API answer is the
API's business (``core.api``), a form shows the sentence next to its field. The engine's own
codes (``inference``) are listed too, so one file says everything a client may see.
"""

from __future__ import annotations

from typing import Final

# --- any request -------------------------------------------------------------------------
INVALID: Final = "invalid"  # the default of a refused input
ERROR: Final = "error"  # a failure the framework raised without a code of its own
NOT_SIGNED_IN: Final = "not_signed_in"
NOT_ALLOWED: Final = "not_allowed"
NOT_FOUND: Final = "not_found"
UNREADABLE_REQUEST: Final = "unreadable_request"
TOO_LARGE: Final = "too_large"
THROTTLED: Final = "throttled"
SERVER_ERROR: Final = "server_error"
UNAVAILABLE: Final = "unavailable"  # the database or Redis cannot be reached: try again later

# --- the request's body (refused before Django reads it) ------------------------------
TOO_SLOW: Final = "too_slow"
BAD_LENGTH: Final = "bad_length"

# --- the websocket: why a socket closes, why a message is refused -------------------------
TOKEN_EXPIRED: Final = "token_expired"
TOKEN_REVOKED: Final = "token_revoked"
SESSION_ENDED: Final = "session_ended"
MORE_THAN_ONE_TOKEN: Final = "more_than_one_token"
BEARER_WITHOUT_ICANVAS_V1: Final = "bearer_without_icanvas_v1"
NOT_A_BEARER_TOKEN: Final = "not_a_bearer_token"
BINARY_NOT_SUPPORTED: Final = "binary_not_supported"
TOO_DEEP: Final = "too_deep"
NOT_JSON: Final = "not_json"
CHILDREN_ONLY: Final = "children_only"

# --- accounts: signing in, tokens, PINs, child profiles -----------------------------------
SIGNED_UP: Final = "signed_up"  # not an error: the sign-up answer, the same for a taken email
LOCKED: Final = "locked"
TOKEN_IN_ADDRESS: Final = "token_in_address"
WRONG_CREDENTIALS: Final = "wrong_credentials"
WRONG_PASSWORD: Final = "wrong_password"
WRONG_PIN: Final = "wrong_pin"
INVALID_PIN: Final = "invalid_pin"
INVALID_BIRTH_YEAR: Final = "invalid_birth_year"
INVALID_TIME_ZONE: Final = "invalid_time_zone"
INVALID_AVATAR: Final = "invalid_avatar"
REQUIRED: Final = "required"  # Django's own code for an empty required value
MAX_LENGTH: Final = "max_length"  # Django's own code for a value too long
DUPLICATE_NICKNAME: Final = "duplicate_nickname"
EMAIL_NOT_VERIFIED: Final = "email_not_verified"  # confirm the address from our mail first
MFA_REQUIRED: Final = "mfa_required"  # the account has a second factor: send its code too
WRONG_CODE: Final = "wrong_code"  # an authenticator or recovery code that does not match
# A sensitive action needs a fresh sign-in: POST /api/v1/auth/reauthenticate/, then again.
REAUTHENTICATION_REQUIRED: Final = "reauthentication_required"

# --- family: what a parent must confirm ----------------------------------------------------
CONSENT_REQUIRED: Final = "consent_required"
CONFIRM_REQUIRED: Final = "confirm_required"

# --- sharing: a parent's share links --------------------------------------------------------
HIDDEN_PICTURE: Final = "hidden_picture"  # a picture hidden from the child is never shared

# --- drawings: submitting, retrying, reading ----------------------------------------------
BAD_CLIENT_ID: Final = "bad_client_id"
CLIENT_ID_CONFLICT: Final = "client_id_conflict"
NO_GENERATORS: Final = "no_generators"
UNKNOWN_CATEGORY: Final = "unknown_category"
NOT_FAILED: Final = "not_failed"
NOT_DONE: Final = "not_done"  # "New colours" or a version asked of a picture not finished yet
NO_NEW_COLOURS: Final = "no_new_colours"  # the generator serving it draws one picture a sketch
TOO_MANY_VERSIONS: Final = "too_many_versions"
NO_SUCH_VERSION: Final = "no_such_version"
NO_PICTURE: Final = "no_picture"
SUGGESTIONS_BUSY: Final = "suggestions_busy"

# --- the engine (inference): sketches, generators, guesses ---------------------------------
INVALID_SKETCH: Final = "invalid_sketch"
UNSUPPORTED_TYPE: Final = "unsupported_type"
TOO_MANY_PIXELS: Final = "too_many_pixels"
TOO_SMALL: Final = "too_small"
BAD_SHAPE: Final = "bad_shape"
ANIMATED: Final = "animated"
DAMAGED: Final = "damaged"
GENERATOR_UNAVAILABLE: Final = "generator_unavailable"
SUGGESTIONS_UNAVAILABLE: Final = "suggestions_unavailable"
