#!/usr/bin/env python
import os
import sys


def one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zvk_portal.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    command = sys.argv[1] if len(sys.argv) > 1 else "manage.py"
    # Cron and the service manager get one line and exit code 1, not a traceback, when the database does not answer
    # or the configuration is incomplete; the next run tries again.
    try:
        execute_from_command_line(sys.argv)
    except (OperationalError, InterfaceError) as error:
        sys.exit(f"{command}: Die Datenbank ist nicht erreichbar (database unavailable): {one_line(error)}")
    except ImproperlyConfigured as error:
        sys.exit(f"{command}: Die Konfiguration ist unvollständig (configuration incomplete): {one_line(error)}")
