from django.conf import settings


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
