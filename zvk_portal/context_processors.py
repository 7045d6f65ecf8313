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
