"""The client IP address that throttling and login logs key on.

Each proxy appends the address it received the request from to X-Forwarded-For, so only
the entries added by our own proxies can be trusted. Everything to their left was written
by the client and may be forged. With TRUSTED_PROXY_COUNT = N the client is the N-th
entry from the right. With N = 0 the header is ignored and REMOTE_ADDR is used, which is
right when the app is reached directly (development, tests).
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)

UNKNOWN_CLIENT_IP = "unknown"


def _parse_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's IP address, normalised, or "unknown" when none can be trusted."""
    remote_addr = _parse_ip(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_CLIENT_IP
    trusted_hops = settings.TRUSTED_PROXY_COUNT
    if trusted_hops <= 0:
        return remote_addr

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < trusted_hops:
        # Fewer entries than proxies: the request did not pass through all of them (an
        # internal health check, for example), so the header says nothing trustworthy.
        return remote_addr

    address = _parse_ip(entries[-trusted_hops])
    if address is None:
        # Our own proxy wrote this entry, so a malformed value means the proxy count is
        # configured wrong, not that the client is lying.
        logger.warning(
            "X-Forwarded-For entry %s from the right is not an IP address; "
            "check TRUSTED_PROXY_COUNT",
            trusted_hops,
        )
        return remote_addr
    return address
