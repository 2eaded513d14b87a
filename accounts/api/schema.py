"""How the OpenAPI schema describes the device tokens and the time zones a child may have
(drf-spectacular)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)


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


class TimeZoneFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "accounts.api.fields.TimeZoneField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "enum": sorted(zoneinfo.available_timezones()),
            "example": "Asia/Seoul",
        }
