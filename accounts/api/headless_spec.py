"""The description of the app's account steps: allauth's headless API as this site serves it.

allauth describes its headless API at ``/_allauth/{client}/v1/...``; here the app's steps live at
``/api/v1/auth/app/...`` (icanvas_site/urls.py), so allauth's own ``HEADLESS_SERVE_SPECIFICATION``
would describe addresses that do not exist. This builds the same document with allauth's own steps
(the user's shape, the sign-up fields, only what is switched on), the paths moved to where they
are served. It stays apart from /api/schema/: those views are allauth's, not DRF's, with their
own envelope (``{status, data, meta}``) and session token (``X-Session-Token``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from allauth.headless.spec.internal import schema as allauth_spec
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

ALLAUTH_ROOT = "/_allauth/{client}/v1/"
MOUNT = "/api/v1/auth/app/"
DOCUMENTS = Path(allauth_spec.__file__).resolve().parents[1] / "doc"


def headless_schema() -> dict[str, Any]:
    """allauth's OpenAPI document for the "app" client, its paths under ``MOUNT``."""
    spec: dict[str, Any] = yaml.safe_load((DOCUMENTS / "openapi.yaml").read_text("utf-8"))
    spec["info"]["description"] = (
        f"**On iCanvas** the app's endpoints are served under `{MOUNT}` (as listed here), not "
        "under allauth's `/_allauth/app/v1/`; a step that signs the parent in answers a knox "
        "device token in `meta.access_token`, sent as `Authorization: Bearer` to the rest of "
        "`/api/v1/` (described at `/api/schema/`).\n\n"
        + (DOCUMENTS / "description.md").read_text("utf-8")
    )
    # Paths only the browser client has keep allauth's root: they resolve nowhere and are dropped.
    spec["paths"] = {
        path.replace(ALLAUTH_ROOT, MOUNT): item for path, item in spec["paths"].items()
    }
    allauth_spec.specify_user(spec)
    allauth_spec.pin_client(spec)
    allauth_spec.drop_unused_client_parameter(spec)
    used_tags = allauth_spec.drop_unused_paths(spec)
    allauth_spec.drop_unused_tags(spec, used_tags)
    allauth_spec.drop_unused_tag_groups(spec, used_tags)
    allauth_spec.specify_signup_fields(spec)
    allauth_spec.specify_custom_signup_form(spec)
    return spec


@require_GET
def headless_openapi(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/auth/app/openapi.json: the account steps' own OpenAPI document."""
    return JsonResponse(
        headless_schema(),
        content_type="application/vnd.oai.openapi+json",
        json_dumps_params={"ensure_ascii": False},
    )
