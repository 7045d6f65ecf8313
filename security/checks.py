"""System checks for a deployment behind a proxy (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def trusted_proxy_configured(app_configs, **kwargs):
    """Behind a TLS proxy (SECURE_PROXY_SSL_HEADER set) every request arrives from the proxy's address. Without
    TRUSTED_PROXY_COUNT the per-address login limit then counts all users as one, and ten wrong passwords a minute
    block everyone's login."""
    if settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT < 1:
        return [
            Error(
                "SECURE_PROXY_SSL_HEADER is set, so the portal runs behind a proxy, but TRUSTED_PROXY_COUNT is 0: "
                "every user would share the proxy's address for the login limits and the logs.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies in front of the portal (usually 1).",
                id="zvk.E010",
            )
        ]
    return []
