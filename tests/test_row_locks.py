"""A row held by a transaction elsewhere (a long service call, an operator's psql) blocks no reader: every page that
only shows answers at once, and a change that meets the lock answers within lock_timeout with the German page
"gerade in Bearbeitung" that keeps what was typed. /healthz answers from its own short path."""

import re
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.test import Client

from accounts.models import Status, User
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
    rows = [(qs.model._meta.db_table, list(qs.values_list("pk", flat=True))) for qs in querysets]

    def hold():
        try:
            with psycopg.connect(**server) as other, other.transaction():
                for table, pks in rows:
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
        slip, slip_seconds = timed(admin, "GET", f"/benutzer/{pending.pk}/uebergabeblatt/")
    slow = [(path, response.status_code, round(seconds, 2)) for path, response, seconds in answers if seconds > 1.5]
    assert slow == [] and slip_seconds < 1.5
    assert [(path, response.status_code) for path, response, _s in answers if response.status_code != 200] == []
    # The one-time password is shown only with its audit entry ("who saw it"), which waits for the held row: the page
    # says so instead, and the hand-over slip is not printed.
    detail = dict((path, response) for path, response, _s in answers)[f"/benutzer/{pending.pk}/"].content.decode()
    assert "gerade in Bearbeitung" in detail and 'data-testid="otp"' not in detail
    assert slip.status_code == 302 and slip["Location"] == f"/benutzer/{pending.pk}/"
    # once the row is free, both are there again
    assert 'data-testid="otp"' in admin.get(f"/benutzer/{pending.pk}/").content.decode()
    assert admin.get(f"/benutzer/{pending.pk}/uebergabeblatt/").status_code == 200


@contextmanager
def lock_timeout(ms: int):
    """The setting's DB_LOCK_TIMEOUT_MS (5 s), shortened for the test's connection."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{ms}ms'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_change_that_meets_a_held_row_says_so_within_lock_timeout_and_keeps_the_input(gera_admin, gera_clerk):
    admin = Client(raise_request_exception=False)
    admin.force_login(gera_admin)
    with rows_held(User.objects.filter(pk=gera_clerk.pk), Member.objects.all()), lock_timeout(800):
        response, seconds = timed(
            admin, "POST", f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "Elternzeit bis Mai"}
        )
    html = response.content.decode()
    assert response.status_code == 409 and seconds < 3
    assert "Gerade in Bearbeitung" in html and "Es wurde nichts gespeichert" in html and "erneut" in html
    assert 'name="reason" value="Elternzeit bis Mai"' in html  # what was typed, sent once more with one click
    assert "Das Portal ist vorübergehend nicht verfügbar" not in html
    assert User.objects.get(pk=gera_clerk.pk).status == Status.ACTIVE  # nothing changed
    # the row is free again: "Erneut senden" sends the kept input
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    again = admin.post(
        f"/benutzer/{gera_clerk.pk}/sperren/", {"csrfmiddlewaretoken": token, "reason": "Elternzeit bis Mai"}
    )
    assert again.status_code == 302
    assert User.objects.get(pk=gera_clerk.pk).status == Status.LOCKED


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_login_that_meets_a_held_row_keeps_no_password_in_the_page(gera_clerk):
    with rows_held(User.objects.filter(pk=gera_clerk.pk)), lock_timeout(500):
        response = Client(raise_request_exception=False).post(
            "/login/", {"role": "clerk", "email": gera_clerk.email, "password": factories.PASSWORD}
        )
    html = response.content.decode()
    assert response.status_code == 409 and "Gerade in Bearbeitung" in html
    assert factories.PASSWORD not in html and "Passwörter und Codes werden" in html


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_health_answers_at_once_while_rows_are_held_and_within_its_timeout_when_its_tables_are(settings):
    with rows_held(User.objects.all(), Member.objects.all()):
        response, seconds = timed(Client(), "GET", "/healthz")
    assert response.status_code == 200 and seconds < 1
    settings.HEALTHZ_TIMEOUT_MS = 1000
    params = connection.get_connection_params()
    server = {k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}
    with psycopg.connect(**server) as other, other.transaction():
        other.execute("LOCK TABLE outbox_outboxmessage IN ACCESS EXCLUSIVE MODE")  # e.g. a migration under way
        response, seconds = timed(Client(), "GET", "/healthz")
    assert response.status_code == 503 and seconds < 2


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_with_error")
def test_the_page_for_a_held_row_keeps_every_typed_value_and_no_secret():
    client = Client(raise_request_exception=False, enforce_csrf_checks=False)
    response = client.post("/in-bearbeitung/", {"reason": 'Vertretung "Süd" <bis Mai>', "units": ["3", "4"]})
    html = response.content.decode()
    assert response.status_code == 409 and response["Retry-After"] == "5"
    assert 'name="reason" value="Vertretung &#34;Süd&#34; &lt;bis Mai&gt;"' in html
    assert html.count('name="units"') == 2 and "Erneut senden" in html
    with_secret = client.post("/in-bearbeitung/", {"email": "a@b.example", "new_password1": "Geheim-2026-Thüringen"})
    html = with_secret.content.decode()
    assert "Geheim-2026-Thüringen" not in html and "a@b.example" not in html and "Erneut senden" not in html
    assert "Formular neu öffnen" in html
    assert client.get("/in-bearbeitung/").status_code == 409
