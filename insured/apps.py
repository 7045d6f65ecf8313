from django.apps import AppConfig


class InsuredConfig(AppConfig):
    name = "insured"
    verbose_name = "Versicherte und Meldungen"
