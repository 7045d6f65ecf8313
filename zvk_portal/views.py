import logging
import sys
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import emails
from audit import log as audit
from base.db import is_lock_conflict
from security import security_log, throttling
from security.client_address import client_ip
from security.pages import throttled
from zvk_portal import health
from zvk_portal.forms import BarrierReportForm

error_log = logging.getLogger("zvk_portal.errors")


def csrf_failure(request, reason=""):
    """A German page for an expired or missing form token; nothing was changed. It says whether the session has
    ended too, and leads back to the page of the form (the Referer, if it is one of ours), to open it afresh."""
    security_log.warning("csrf.refused", outcome="forbidden", ip=client_ip(request), path=request.path)
    referer = urlsplit(request.headers.get("Referer", ""))
    same_site = url_has_allowed_host_and_scheme(
        request.headers.get("Referer", ""), {request.get_host()}, require_https=request.is_secure()
    )
    # A path of ours only: "//host/…", and "/\\host/…" (browsers read the backslash as a slash), are another site.
    own_path = referer.path.startswith("/") and url_has_allowed_host_and_scheme(referer.path, allowed_hosts=None)
    back = referer.path if same_site and own_path else None
    return render(request, "403_csrf.html", {"back": back}, status=403)


def is_database_unavailable(error: BaseException | None) -> bool:
    """The database did not answer in time or at all (statement or lock timeout, connection lost, SQLite
    busy): the request may succeed when tried again, so it is a 503, not a 500."""
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request):
    """The German error page (LOG-08): no traceback, no SQL, only an incident number that is also in the log,
    so that the fund can find the error a caller quotes. A database that did not answer gives the 503 page.

    This is the one log record of the error: Django's own "Internal Server Error" record of django.request is
    suppressed (`_has_been_logged`), so the log holds one line per failed request, not two tracebacks."""
    incident = uuid.uuid4().hex[:12].upper()
    error = sys.exc_info()[1]
    if is_lock_conflict(error):
        return row_busy(request, incident)
    if is_database_unavailable(error):
        error_log.error(
            "database_unavailable",
            extra={"incident": incident, "path": request.path, "error": f"{type(error).__name__}: {error}".strip()},
        )
        template, response_class = "503.html", ServiceUnavailable
    else:
        error_log.error("server_error", exc_info=True, extra={"incident": incident, "path": request.path})
        template, response_class = "500.html", HttpResponseServerError
    response = response_class(loader.get_template(template).render({"incident": incident}))
    response._has_been_logged = True
    return response


# Fields of a form never written back into a page (by their name): whoever sent them types them again.
SECRET_FIELD_WORDS = ("password", "passwort", "code", "otp", "token", "secret", "credential")


def row_busy(request, incident: str):
    """A change met a row that another transaction holds longer than lock_timeout (another administrator's action, a
    long job): the German page "Gerade in Bearbeitung", 409, within lock_timeout. Nothing was saved; what was typed
    is kept in the page, to be sent once more with one click, unless the form held a password or a code."""
    error_log.warning("row_busy", extra={"incident": incident, "path": request.path, "method": request.method})
    fields = [(name, values) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"]
    secret = any(word in name.lower() for name, _values in fields for word in SECRET_FIELD_WORDS)
    resend = None
    if request.method == "POST" and not secret:
        resend = [(name, value) for name, values in fields for value in values]
    response = render(request, "409_busy.html", {"resend": resend, "secret": secret}, status=409)
    response["Retry-After"] = "5"
    response._has_been_logged = True
    return response


class ServiceUnavailable(HttpResponse):
    status_code = 503

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self["Retry-After"] = "30"


@login_not_required
@require_safe
@never_cache
def healthz(request):
    """For the load balancer and monitoring (zvk_portal/health.py answers GET and HEAD before the middleware; this
    view stands behind the URL for everything else, which it refuses)."""
    return health.answer(request)


@login_not_required
@require_safe
def accessibility(request):
    """Erklärung zur Barrierefreiheit (ThürBITVO §3): the status of conformity, the known gaps, how to report a
    barrier and where to turn when the answer does not satisfy."""
    return render(request, "portal/accessibility.html")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def accessibility_feedback(request):
    """ "Barriere melden": the report goes to the fund by mail (through the outbox); it is not stored elsewhere."""
    if request.method != "POST":
        return render(request, "portal/accessibility_feedback.html", {"form": BarrierReportForm()})
    decision = throttling.attempt(throttling.FEEDBACK, ip=client_ip(request))
    if decision.allowed:
        decision = throttling.attempt(throttling.FEEDBACK_ALL, ip=throttling.PORTAL)
    if not decision.allowed:
        return throttled(request, "portal/accessibility_feedback.html", BarrierReportForm, decision)
    form = BarrierReportForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            emails.send_templated("barrier_report", settings.FUND_EMAIL, {"report": form.cleaned_data})
            # The reporter's address reaches the fund in the mail alone: the audit log, kept for the life of the
            # portal, holds no personal data of a visitor.
            audit.record(
                "feedback.sent", actor_label="anonym", data={"answer_wanted": bool(form.cleaned_data["email"])}
            )
        messages.success(request, "Vielen Dank. Ihre Meldung ist bei der Zusatzversorgungskasse eingegangen.")
        return redirect("accessibility")
    return render(request, "portal/accessibility_feedback.html", {"form": form})
