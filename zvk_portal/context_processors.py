from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html


def fund(request):
    """The fund's contact details for the footer (manual, cover page)."""
    return {
        "fund": {
            "name": settings.FUND_NAME,
            "address": settings.FUND_ADDRESS,
            "email": settings.FUND_EMAIL,
            "phone": settings.FUND_PHONE,
            "web": settings.FUND_WEB,
        }
    }


def session_clock(request):
    """The idle timeout, for the warning two minutes before it (static/js/portal.js)."""
    return {"idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS}


def csrf_once(request):
    """`csrf_input` of the Jinja2 pages, made once per page: Django's makes a newly masked token for every form, and
    a list with forty small forms (Handlungsbedarf's "übergeben" / "erledigt") paid for forty. One masked token per
    response keeps what the masking is for (a different token in every response, BREACH)."""
    return {
        "csrf_input": SimpleLazyObject(
            lambda: format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        )
    }
