"""How the OpenAPI schema describes the device tokens (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.DeviceTokenAuthentication"
    name = "deviceToken"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "`Authorization: Bearer <token>`. A parent's token (`icp_…`) comes from "
                "`POST /api/v1/auth/signin/`; a child's play token (`icc_…`) from "
                "`POST /api/v1/children/{id}/play/`. Never put a token in the address: "
                "such a request is refused (401 `token_in_address`)."
            ),
        }
