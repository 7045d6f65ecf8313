from django.apps import AppConfig


class BillingUnitsConfig(AppConfig):
    name = "billing_units"
    verbose_name = "Mitglieder und Abrechnungsstellen"
