from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("passwort-vergessen/", views.password_forgot, name="password_forgot"),
    path("passwort-aendern/", views.password_set, name="password_set"),
    path("sitzung/verlaengern/", views.session_keepalive, name="session_keepalive"),
]
