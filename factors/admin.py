"""The Django admin shows no second factor: django-otp's own admin pages would show an authenticator app's secret
(its QR code) to fund staff, who could then act as its owner. Fund staff reset a factor with the action
"Zweiten Faktor zurücksetzen und Zugangsbrief erstellen" on the user list (accounts/admin.py)."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
