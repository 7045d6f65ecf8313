"""A row held by a transaction elsewhere (a long service call, an operator's psql) blocks no reader: every page that
only shows answers at once, and a change that meets the lock answers within lock_timeout with the German page
"gerade in Bearbeitung" that keeps what was typed. /healthz answers from its own short path."""

import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from billing_units.models import BillingUnit, Member
from tests import factories

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")


@contextmanager
def rows_held(*querysets, mode="FOR UPDATE"):
    """Another session takes the rows of the querysets with `mode` and keeps them until the block ends, as a
    transaction of another server or an operator's psql would."""
    params = connection.get_connection_params()
    server = {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
    held, release, failed = threading.Event(), threading.Event(), []

    def hold():
        try:
            with psycopg.connect(**server) as other, other.transaction():
                for queryset in querysets:
                    table = queryset.model._meta.db_table
                    pks = list(queryset.values_list("pk", flat=True))
                    other.execute(f'SELECT 1 FROM "{table}" WHERE id = ANY(%s) {mode}', [pks])
                held.set()
                release.wait(60)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            failed.append(error)
            held.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10) and not failed, failed
    try:
        yield
    finally:
        release.set()
        holder.join()


def timed(client, method, path, data=None):
    started = time.monotonic()
    response = client.post(path, data) if method == "POST" else client.get(path)
    return response, time.monotonic() - started


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_every_page_that_only_shows_answers_while_its_rows_are_held(gera_admin, gera_units):
    pending = factories.PendingClerkFactory(units=gera_units[:1])  # its page shows (and audits) the one-time password
    active = factories.ClerkFactory(units=gera_units[:2])
    admin = Client(raise_request_exception=False)
    admin.force_login(gera_admin)
    clerk = Client(raise_request_exception=False)
    clerk.force_login(active)
    pages = [
        (admin, "/benutzer/"),
        (admin, f"/benutzer/{pending.pk}/"),
        (admin, f"/benutzer/{active.pk}/"),
        (admin, f"/benutzer/{active.pk}/zuordnen/"),
        (admin, f"/benutzer/{active.pk}/sperren/"),
        (admin, f"/benutzer/{pending.pk}/uebergabeblatt/"),
        (admin, f"/administratoren/{gera_admin.pk}/"),
        (admin, "/berechtigungen/"),
        (admin, "/protokoll/"),
        (admin, "/einstellungen/"),
        (admin, "/sicherheit/"),
        (admin, "/benutzer/neu/"),
        (clerk, "/start/"),
    ]
    everything = [User.objects.all(), Member.objects.all(), BillingUnit.objects.all()]
    with rows_held(*everything):
        answers = [(path, *timed(client, "GET", path)) for client, path in pages]
    slow = [(path, response.status_code, round(seconds, 2)) for path, response, seconds in answers if seconds > 1.5]
    assert slow == []
    assert [(path, response.status_code) for path, response, _s in answers if response.status_code != 200] == []
