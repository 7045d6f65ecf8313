"""Where a login leads: the page the login was asked to lead to (LoginRequiredMiddleware's ?next=), if it is a
path of ours, else the start page of the user's role. The password step (accounts.views) and the second factor's
step (factors.login_step) both ask here."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Role

START_PAGES = {Role.ADMINISTRATOR: "clerks:list", Role.CLERK: "accounts:start", Role.STAFF: "admin:index"}


def requested(request) -> str | None:
    """The ?next= of the login, if it is an absolute path of this site: a bare word would be taken for a URL name by
    redirect() and end in a 500, and "//host" is another site."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return None


def start_page(user) -> str:
    return reverse(START_PAGES[user.role])


def onward(request) -> str:
    """The page asked for, else the start page."""
    return requested(request) or start_page(request.user)
