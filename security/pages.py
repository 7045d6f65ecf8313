"""The page of a public form that a client sent too often (security.throttling said no)."""

from django.contrib import messages
from django.shortcuts import render


def throttled(request, template: str, form_class, decision, **context):
    """A public form's page again with what was typed and the German request to wait, as 429. The input is not
    validated (a validation can be an oracle, e.g. for member numbers), no password is checked."""
    messages.error(request, decision.message)
    form = form_class(initial=request.POST.dict())
    response = render(request, template, {"form": form, **context}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response
