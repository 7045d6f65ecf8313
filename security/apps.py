from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "Sicherheit"

    def ready(self):
        from security import checks  # noqa: F401  (registers the system checks)
