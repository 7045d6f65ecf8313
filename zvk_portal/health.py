"""/healthz for the load balancer and monitoring, answered from its own short path: first in the middleware, so no
session, no host check, no https redirect and no login stand before it (monitoring asks http://127.0.0.1:8000/healthz
on the server itself), and its reads run under their own short timeouts, so a held row lock or a slow database
makes it answer late by at most HEALTHZ_TIMEOUT_MS. It reads counts only: no personal data."""

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from base.db import short_timeouts
from outbox import health as outbox_health

PATH = "/healthz"


def answer(request) -> JsonResponse:
    """200 when the database answers and mail gets out; 503 when the database does not answer in time, or when mails
    have waited too long for a worker that is gone or held (the body says which)."""
    try:
        with short_timeouts(statement_ms=settings.HEALTHZ_TIMEOUT_MS, lock_ms=settings.HEALTHZ_TIMEOUT_MS // 2):
            mail, mail_ok = outbox_health.report()
    except DatabaseError:
        response = JsonResponse({"database": "unavailable"}, status=503)
    else:
        response = JsonResponse({"database": "ok", **mail}, status=200 if mail_ok else 503)
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    response._has_been_logged = True  # a 503 here is monitoring's signal, not an error of the request
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH and request.method in ("GET", "HEAD"):
            return answer(request)
        return self.get_response(request)
