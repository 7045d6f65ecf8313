from django.core.management.commands.migrate import Command as MigrateCommand

from base.db import without_timeouts


class Command(MigrateCommand):
    """Django's migrate, without the web requests' statement and lock timeouts: building an index on a large
    table may take longer than any page should."""

    def handle(self, *args, **options):
        with without_timeouts(options["database"]):
            return super().handle(*args, **options)
