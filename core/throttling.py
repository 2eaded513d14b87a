"""The base of the site's throttles: counted per client as :mod:`core.client_address` says."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from core.client_address import client_address


class ClientAddressThrottle(SimpleRateThrottle):
    """A DRF throttle whose "IP" is the site's one notion of the client's address: a client's
    own ``X-Forwarded-For`` is believed only from ``TRUSTED_PROXIES`` (DRF's ``get_ident``
    would believe it from anyone when ``NUM_PROXIES`` is unset)."""

    def get_ident(self, request: Request) -> str:
        return client_address(request)
