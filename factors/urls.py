from django.urls import path

from factors import views, webauthn

app_name = "factors"
urlpatterns = [
    path("zweiter-faktor/einrichten/", views.enrol, name="enrol"),
    path("zweiter-faktor/einrichten/app/", views.enrol_totp, name="enrol_totp"),
    path("zweiter-faktor/wiederherstellungscodes/", views.recovery_codes, name="recovery_codes"),
    path("anmeldung-bestaetigen/", views.verify, name="verify"),
    path("anmeldung-bestaetigen/neuer-code/", views.email_code, name="email_code"),
    path("sicherheit/", views.security, name="security"),
    path("sicherheit/passkey/<int:pk>/entfernen/", views.remove_passkey, name="remove_passkey"),
    path("sicherheit/passkey/<int:pk>/umbenennen/", views.rename_passkey, name="rename_passkey"),
    path("sicherheit/passkey-eingerichtet/", views.passkey_added, name="passkey_added"),
    path("sicherheit/app/<int:pk>/entfernen/", views.remove_totp, name="remove_totp"),
]
# django-otp-webauthn's JSON endpoints, with the portal's rules around them (factors/webauthn.py).
webauthn_patterns = (webauthn.urlpatterns, "otp_webauthn")
