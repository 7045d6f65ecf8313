"""The client's address, as the security log records it and the per-address limits count it."""

import ipaddress
import logging

from django.conf import settings

log = logging.getLogger("security")
_warned = False


def _warn_untrusted_proxy() -> None:
    """Once per process: a request came through a proxy (X-Forwarded-For) that is not trusted, so every user behind
    it shares one address for the limits (TRUSTED_PROXY_COUNT; README "Production")."""
    global _warned
    if not _warned:
        _warned = True
        log.warning(
            "proxy.untrusted",
            extra={
                "event": "proxy.untrusted",
                "outcome": "misconfigured",
                "hint": "Requests carry X-Forwarded-For but TRUSTED_PROXY_COUNT is 0: set it to the number of "
                "proxies in front of the portal.",
            },
        )


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the entry of X-Forwarded-For
    that the first trusted proxy (the one the client connected to) appended; entries further left are
    whatever the client sent and are never trusted."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies < 1 and "HTTP_X_FORWARDED_FOR" in request.META:
        _warn_untrusted_proxy()
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"
