"""The deletion rules (SECURITY.md "Aufbewahrung und Löschung"): time moves past each period, `apply_retention` runs
twice, and the audit trail keeps who did what, when, in which member — without the departed person's name."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import PasswordRequest, Role, Status
from audit.models import AuditEntry
from clerks import services as clerk_services
from registration import services as registration_services
from retention import services
from retention.models import RetentionRun
from tests import factories
from tests.helpers import fresh, post_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def departed(gera_admin, gera_units):
    """A clerk with a history: created, its e-mail changed, locked; then three years and a day pass."""
    clerk = clerk_services.create_clerk(
        by=gera_admin,
        first_name="Jürgen",
        last_name="Weggegangen",
        phone="0365 838-9999",
        email="juergen.alt@stadt-gera.example",
        unit_ids=[gera_units[0].pk],
    )
    clerk_services.update_personal_data(
        clerk=clerk,
        by=gera_admin,
        first_name="Jürgen",
        last_name="Weggegangen",
        phone="0365 838-9999",
        email="juergen.weggegangen@stadt-gera.example",
    )
    clerk_services.lock_clerk(clerk=fresh(clerk), by=gera_admin, reason="Ausgeschieden")
    return fresh(clerk)


def later(years=3, days=1):
    return time_machine.travel(timezone.now() + timedelta(days=365 * years + days), tick=False)


def personal_text(clerk_pk) -> str:
    entries = AuditEntry.objects.filter(target_id=clerk_pk)
    return json.dumps([(e.actor_label, e.data) for e in entries], ensure_ascii=False)


def test_a_departed_clerk_is_pseudonymised_and_its_trail_stays(departed, gera_admin):
    trail = list(
        AuditEntry.objects.filter(target=departed).values_list("pk", "action", "actor_id", "member_id", "created_at")
    )
    assert "juergen.alt@stadt-gera.example" in personal_text(departed.pk)
    with later():
        run = services.apply()
    clerk = fresh(departed)
    assert (clerk.first_name, clerk.last_name, clerk.phone) == ("Gelöschter", f"Benutzer #{clerk.pk}", "")
    assert clerk.email == f"benutzer-{clerk.pk}@geloescht.invalid" and not clerk.has_usable_password()
    text = personal_text(clerk.pk)
    for personal in ("juergen", "Weggegangen", "838-9999"):
        assert personal not in text
    kept = list(
        AuditEntry.objects.filter(target=clerk)
        .exclude(action="user.pseudonymised")
        .values_list("pk", "action", "actor_id", "member_id", "created_at")
    )
    assert kept == trail
    assert run.report["users_pseudonymised"] == [clerk.pk] and not run.dry_run
    # the administrator who acted is still named: only the departed person is pseudonymised
    assert AuditEntry.objects.filter(target=clerk, actor_label=gera_admin.email).exists()


def test_a_second_run_finds_nothing_and_a_dry_run_changes_nothing(departed):
    with later():
        dry = services.apply(dry_run=True)
        assert fresh(departed).email == "juergen.weggegangen@stadt-gera.example"
        assert dry.dry_run and dry.report["users_pseudonymised"] == [departed.pk]
        services.apply()
        again = services.apply()
    assert again.report["users_pseudonymised"] == [] and again.report["audit_entries_pseudonymised"] == 0
    assert AuditEntry.objects.filter(target=departed, action="user.pseudonymised").count() == 1


def test_nobody_is_pseudonymised_before_the_period_or_while_not_locked(departed, gera_clerk):
    with later(years=2, days=360):
        assert services.apply().report["users_pseudonymised"] == []
    with later(years=10):
        assert gera_clerk.pk not in services.apply().report["users_pseudonymised"]
    assert fresh(gera_clerk).status == Status.ACTIVE and fresh(gera_clerk).email == gera_clerk.email


def test_requests_and_rejected_registrations_go_after_a_year(gera_clerk, gera, staff):
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    application = factories.ApplicationFactory(member=gera)
    registration_services.reject_application(application=application, by=staff, reason="unbekannt")
    with later(years=0, days=366):
        run = services.apply()
    assert run.report["password_requests_deleted"] == 1 and run.report["rejected_applications_deleted"] == 1
    assert not PasswordRequest.objects.exists()


def test_the_command_prints_the_report_and_fund_staff_read_it(departed, client, staff, capsys):
    with later():
        call_command("apply_retention", "--dry-run")
    assert "Probelauf" in capsys.readouterr().out
    client.force_login(staff)
    listing = client.get("/admin/retention/retentionrun/").content.decode()
    assert "Benutzer pseudonymisiert: 1" in listing
    assert RetentionRun.objects.get().dry_run


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger and its function exist on PostgreSQL")
def test_postgresql_lets_through_exactly_the_pseudonymisation(departed):
    entry = AuditEntry.objects.filter(target=departed).earliest("pk")
    for sql in (
        "UPDATE accounts_auditentry SET actor_label = 'x'",
        "SET LOCAL zvk.audit_pseudonymise = 'on'; UPDATE accounts_auditentry SET action = 'login.failed'",
        "SET LOCAL zvk.audit_pseudonymise = 'on'; DELETE FROM accounts_auditentry",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    AuditEntry.objects.pseudonymise(entry, actor_label="benutzer@geloescht.invalid", data={"x": 1})
    entry.refresh_from_db()
    assert (entry.actor_label, entry.data) == ("benutzer@geloescht.invalid", {"x": 1})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET actor_label = 'y'")  # the switch ended with its statement


def test_nothing_of_a_departed_clerk_survives_in_mails_sessions_or_exports(departed, gera_admin, client):
    """The outbox (a mail about the clerk that failed for good, one to it still failing), a session that held its
    typed personal data, and the exports an administrator downloads: none keeps a name, address or phone."""
    from importlib import import_module

    from django.conf import settings

    from outbox.models import MessageStatus, OutboxMessage

    personal = ("juergen", "Jürgen", "Weggegangen", "838-9999")
    OutboxMessage.objects.update(status=MessageStatus.FAILED, last_error="550 unbekannt")  # nobody fixed them
    factories.OutboxMessageFactory(
        to=gera_admin.email,
        subject="Jürgen Weggegangen: „Passwort vergessen“ angefordert",
        body="- Jürgen Weggegangen (juergen.weggegangen@stadt-gera.example): …",
        status=MessageStatus.FAILED,
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["typed_input"] = {"user": gera_admin.pk, "path": "/benutzer/neu/", "post": {"last_name": ["Weggegangen"]}}
    store.set_expiry(60)
    store.create()
    assert OutboxMessage.objects.filter(body__contains="Weggegangen").count() >= 2

    with later():
        services.apply()

    rows = [(m.to, m.subject, m.body) for m in OutboxMessage.objects.all()]
    assert rows and not [row for row in rows if any(p in str(row) for p in personal)]
    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(store.session_key)
    client.force_login(gera_admin)
    for url in ("/protokoll/?format=csv", "/berechtigungen/?format=csv&status=all"):
        response = client.get(url)
        text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
        assert response.status_code == 200 and not [p for p in personal if p in text], url


def test_every_name_and_phone_a_departed_clerk_had_is_gone(departed, gera_admin):
    """A clerk renamed and given a new phone before it left: the change's entry held the old and the new values each
    alone, and a mail still waiting greets it by the old name; the addresses its requests came from go too."""
    from django.test import Client

    from outbox.models import OutboxMessage

    post_login(Client(), departed, "vertippt-am-letzten-tag", ip="127.0.90.1")
    clerk_services.update_personal_data(
        clerk=departed,
        by=gera_admin,
        first_name="Jörg",
        last_name="Neuhaus",
        phone="0365 838-7777",
        email=departed.email,
    )
    personal = ("Jürgen", "Jörg", "Weggegangen", "Neuhaus", "838-9999", "838-7777", "juergen", "127.0.90.1")
    everything = AuditEntry.objects.filter(target=departed)
    assert [p for p in personal if p in json.dumps([e.data for e in everything], ensure_ascii=False)]

    with later():
        services.apply()

    text = json.dumps([(e.actor_label, e.data) for e in AuditEntry.objects.all()], ensure_ascii=False)
    mails = json.dumps([(m.to, m.subject, m.body) for m in OutboxMessage.objects.all()], ensure_ascii=False)
    assert [p for p in personal if p in text or p in mails] == []
    changes = AuditEntry.objects.filter(target=departed, action="user.personal_data_changed").order_by("pk")
    assert set(changes.last().data["changes"]) == {"first_name", "last_name", "phone"}  # what changed stays known


def test_a_departed_administrators_greeting_by_its_surname_is_gone(gera_admin, gera_units):
    """ "Sehr geehrte Frau Kellermann" in a mail that failed for good names the administrator by its surname alone."""
    from accounts.models import Salutation
    from outbox.models import MessageStatus, OutboxMessage

    leaving = factories.AdministratorFactory(units=gera_units[:1], first_name="Karla", last_name="Kellermann")
    namesake = factories.AdministratorFactory(units=gera_units[1:2], first_name="Kurt", last_name="Kellermann")
    for person, salutation in ((leaving, Salutation.MS), (namesake, Salutation.MR)):
        person.salutation = salutation
        person.save(update_fields=["salutation"])
        account_services.request_password_reset(role=Role.ADMINISTRATOR, email=person.email)
    OutboxMessage.objects.update(status=MessageStatus.FAILED, last_error="550 unbekannt")
    assert OutboxMessage.objects.filter(body__contains="Sehr geehrte Frau Kellermann").exists()
    clerk_services.lock_administrator(administrator=leaving, by=gera_admin, reason="Ausgeschieden")

    with later():
        services.apply()

    assert fresh(leaving).email.endswith("@geloescht.invalid")
    assert not OutboxMessage.objects.filter(body__contains="Frau Kellermann").exists()
    assert not OutboxMessage.objects.filter(body__contains="Karla").exists()
    namesakes = OutboxMessage.objects.filter(to=namesake.email)  # another person of that surname keeps it
    assert namesakes and all("Sehr geehrter Herr Kellermann" in mail.body for mail in namesakes)
