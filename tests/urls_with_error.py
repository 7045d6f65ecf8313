"""The portal's URLs plus one view that fails, for the error-page test (LOG-08)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from zvk_portal.urls import handler500  # noqa: F401 - Django looks up handler500 here
from zvk_portal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("geheime Interna: SELECT * FROM accounts_user")


urlpatterns = [path("kaputt/", broken), *portal_urlpatterns]
