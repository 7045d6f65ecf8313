from django.apps import AppConfig


class ClerksConfig(AppConfig):
    name = "clerks"
    verbose_name = "Berechtigungen und Sperren"
