"""The portal's URLs plus views that fail, for the error-page tests (LOG-08, the 503 page)."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.urls import path

from zvk_portal.urls import handler500  # noqa: F401 - Django looks up handler500 here
from zvk_portal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("geheime Interna: SELECT * FROM accounts_user")


@login_not_required
def database_timeout(request):
    raise OperationalError("canceling statement due to statement timeout")


@login_not_required
def busy(request):
    raise OperationalError("database is locked")  # SQLite's word for a writer that waited in vain


urlpatterns = [
    path("kaputt/", broken),
    path("zeitueberschreitung/", database_timeout),
    path("in-bearbeitung/", busy),
    *portal_urlpatterns,
]
