from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from factors import urls as factors_urls
from zvk_portal import views as portal_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("", include("accounts.urls")),
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
