"""The client's address, one notion for the whole site: throttles, the sign-in lock-out, logs.

The address is the connection's peer (``REMOTE_ADDR``) unless that peer is one of the
``TRUSTED_PROXIES`` (addresses or networks, from the environment; none by default). Only then is
``X-Forwarded-For`` read, from the right, skipping the trusted proxies: the first address that
is not one of ours is the client. A client's own ``X-Forwarded-For`` (anything left of what our
proxies appended) is never believed, so a script cannot make up a new address per request.

Behind uvicorn's ``--forwarded-allow-ips`` (docs/deploy.md) the server has already put the
client in ``REMOTE_ADDR``; both can be set to the same list, the answer is the same.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in configured if entry)


def trusted_proxies() -> tuple[Network, ...]:
    """``settings.TRUSTED_PROXIES`` as networks (a bare address is a one-address network)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _is_trusted(address: str, proxies: Iterable[Network]) -> bool:
    parsed = _parsed(address)
    return parsed is not None and any(parsed in network for network in proxies)


def client_address_of(meta: Mapping[str, Any]) -> str:
    """The client's address from a request's ``META`` (see the module's docstring)."""
    peer = str(meta.get("REMOTE_ADDR") or "").strip()
    proxies = trusted_proxies()
    if not peer or not proxies or not _is_trusted(peer, proxies):
        return peer or UNKNOWN
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _parsed(hop) is None:
            break  # garbage in the chain: what is left of it cannot be believed either
        if not _is_trusted(hop, proxies):
            return hop
    return peer


def client_address(request: Any) -> str:
    """The client's address of a Django (or DRF) request (also django-axes' callable)."""
    return client_address_of(request.META)
