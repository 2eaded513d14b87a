"""The OpenAPI schema's shared parts (drf-spectacular): the one error shape on every operation.

Every error of the API has one body, ``{code, detail, field_errors}`` (core/api.py).
Rather than repeating it in each view, this post-processing hook declares it once as
``ApiError`` and adds the statuses any operation can answer with: 400 (what to fix), 401 (no
token, or a revoked or expired one), 403 (this token may not), 404 (not in your family), 413 (too
big), 415 (a body in another content type), 429 (throttled or locked: ``Retry-After``). A view's
own description of a status wins.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API. `code` is stable (branch on it); `detail` is a "
    "sentence for a person, in the request's language (Accept-Language: ko or en).",
    "properties": {
        "code": {"type": "string", "example": "not_signed_in"},
        "detail": {"type": "string", "example": "Please sign in first."},
        "field_errors": {
            "type": "object",
            "description": "Validation errors only: each field at fault and what to fix.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "detail"],
}

STATUSES = {
    "400": "The request needs fixing: `detail` says what, `field_errors` where.",
    "401": "No token, or a revoked or expired one (`not_signed_in`), or a token in the address "
    "(`token_in_address`).",
    "403": "This token may not do this (e.g. a child's play token on a parent's endpoint).",
    "404": "No such object in your family (another family's ids answer 404 too).",
    "405": "This method is not allowed here.",
    "413": "The request is too big.",
    "415": "The body is not in the operation's one content type (`unsupported_media_type`): "
    "JSON everywhere, `multipart/form-data` for the two uploads.",
    "429": "Too many requests (`throttled`) or a lock-out (`locked`): wait `Retry-After` seconds.",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ApiError"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/ApiError"}
    retry_after = {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
    }
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in STATUSES.items():
                if status == "415" and "requestBody" not in operation:
                    continue  # no body, no content type to get wrong
                existing = responses.get(status)
                if existing is None:
                    existing = responses[status] = {"description": description}
                existing.setdefault("content", {}).setdefault(
                    "application/json", {"schema": reference}
                )
                if status == "429":
                    existing.setdefault("headers", retry_after)
    return result
