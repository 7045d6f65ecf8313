import logging
import uuid

from django.contrib import messages
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from security import security_log
from security.client_address import client_ip

error_log = logging.getLogger("zvk_portal.errors")


def csrf_failure(request, reason=""):
    """A German page for an expired or missing form token; nothing was changed."""
    security_log.warning("csrf.refused", outcome="forbidden", ip=client_ip(request), path=request.path)
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The German 500 page (LOG-08): no traceback, no SQL, only an incident number that is also in the log
    next to the traceback, so that the fund can find the error a caller quotes."""
    incident = uuid.uuid4().hex[:12].upper()
    error_log.error("server_error", exc_info=True, extra={"incident": incident, "path": request.path})
    return HttpResponseServerError(loader.get_template("500.html").render({"incident": incident}))


def throttled(request, template: str, form_class, decision, **context):
    """A public form's page again with what was typed and the German request to wait, as 429. The input is not
    validated (a validation can be an oracle, e.g. for member numbers), no password is checked."""
    messages.error(request, decision.message)
    form = form_class(initial=request.POST.dict())
    response = render(request, template, {"form": form, **context}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response
