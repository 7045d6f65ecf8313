"""The release step: migrate once, even when several servers start at the same moment."""

import fcntl
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from base.db import without_timeouts

# pg_advisory_lock key: any fixed number, the same for every server of this portal.
MIGRATE_LOCK_KEY = 160_016


@contextmanager
def migrate_lock(alias: str):
    """Hold a lock that every server's release step takes: a PostgreSQL advisory lock (it ends with the
    session, also if the process dies), for SQLite a file lock beside the database file."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with without_timeouts(alias):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
            try:
                yield
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
        return
    name = str(connection.settings_dict["NAME"])
    lock_file = Path(name + ".migrate-lock") if "memory" not in name else None
    if lock_file is None:
        yield
        return
    with open(lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Command(BaseCommand):
    help = (
        "Führt die Datenbankmigrationen aus, unter einer Sperre: Starten mehrere Server zugleich, migriert "
        "einer, die anderen warten und finden danach nichts mehr zu tun (make migrate, make serve)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        with migrate_lock(options["database"]):
            call_command("migrate", database=options["database"], interactive=False, verbosity=options["verbosity"])
