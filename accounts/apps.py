from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Benutzerkonten"

    def ready(self):
        from accounts import checks  # noqa: F401  (registers the system checks)
