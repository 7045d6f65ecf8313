from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("clerks.urls")),
    path("", include("registration.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "zvk_portal.views.server_error"
