from django.contrib import admin
from django.urls import include, path

from accounts import urls as account_urls
from accounts import views as account_views
from factors import urls as factors_urls
from insured.views import workspace
from zvk_portal import views as portal_views

urlpatterns = [
    path("", account_views.home, name="home"),
    # The clerk's start page keeps its name "accounts:start" and its address, but lives with the workspace it
    # shows (insured), which builds on accounts: the project composes the two rather than accounts reaching up.
    path("", include((account_urls.urlpatterns + [path("start/", workspace.start, name="start")], "accounts"))),
    path("", include("insured.urls")),
    path("", include("clerks.urls")),
    path("", include("registration.urls")),
    path("", include("factors.urls")),
    path("webauthn/", include(factors_urls.webauthn_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", portal_views.healthz, name="healthz"),
    path("barrierefreiheit/", portal_views.accessibility, name="accessibility"),
    path("barrierefreiheit/melden/", portal_views.accessibility_feedback, name="accessibility_feedback"),
]

handler500 = "zvk_portal.views.server_error"
