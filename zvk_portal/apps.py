from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "zvk_portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from zvk_portal import checks  # noqa: F401 - registers the production configuration checks
