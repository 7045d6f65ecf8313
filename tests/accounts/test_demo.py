"""`manage.py demo`: the documented logins, idempotent, never without DEBUG."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Membership, Role, Status, User
from audit.models import AuditEntry
from billing_units.models import BillingUnit, Member
from clerks import notices
from clerks.models import Grant, MemberLock
from insured.models import Employment, InsuredPerson, Kind, Report, ReportSection, ReportStatus, Section
from outbox.models import MessageStatus, OutboxMessage
from tests import factories
from tests.helpers import factor_code, post_factor, post_login

pytestmark = pytest.mark.django_db

PASSWORD = "Thueringen-2026!"


def rows():
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            Member,
            BillingUnit,
            User,
            Membership,
            Grant,
            MemberLock,
            AuditEntry,
            InsuredPerson,
            Employment,
            Section,
            Report,
            ReportSection,
        )
    ]


def test_demo_twice_leaves_the_same_rows(settings, capsys):
    settings.DEBUG = True
    call_command("demo")
    first = rows()
    call_command("demo")
    assert rows() == first
    printed = capsys.readouterr().out
    assert "admin@stadt-gera.example" in printed and PASSWORD in printed and "zvk@kvt-zvk.example" in printed


def test_demo_data_as_documented(settings):
    settings.DEBUG = True
    call_command("demo")
    assert Member.objects.get(number="002020").name == "Stadt Gera"
    assert set(BillingUnit.objects.filter(member__number="002020").values_list("number", "name")) == {
        ("002020", "Stadt Gera"),
        ("002021", "Stadt Gera – Eigenbetrieb Bäder"),
        ("002022", "Stadt Gera – Kita-Verbund"),
    }
    assert set(BillingUnit.objects.filter(member__number="003030").values_list("number", flat=True)) == {
        "003030",
        "003031",
    }
    admin = User.objects.get(email="admin@stadt-gera.example", role=Role.ADMINISTRATOR)
    assert admin.status == Status.ACTIVE
    assert set(admin.scope_units.values_list("number", flat=True)) == {"002020", "002021", "002022"}
    statuses = set(User.objects.filter(role=Role.CLERK).values_list("status", flat=True))
    assert statuses == {Status.ACTIVE, Status.PENDING, Status.LOCKED, Status.DEACTIVATED}
    for role, email in [
        (Role.ADMINISTRATOR, "admin@stadt-gera.example"),
        (Role.ADMINISTRATOR, "personal@stadt-gera.example"),
        (Role.ADMINISTRATOR, "admin@stadt-jena.example"),
    ]:
        assert post_login(Client(), email, PASSWORD, role=role).url == "/benutzer/"  # with the printed app's code
    staff = Client()
    assert staff.post("/admin/login/", {"username": "zvk@kvt-zvk.example", "password": PASSWORD}).status_code == 302
    assert staff.get("/admin/").url == "/anmeldung-bestaetigen/"  # the password alone reaches no admin page
    post_factor(staff, factor_code(User.objects.get(email="zvk@kvt-zvk.example", role=Role.STAFF)))
    assert staff.get("/admin/").status_code == 200


def test_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo")
    assert not User.objects.exists()


def test_demo_prints_the_address_it_was_started_for_and_keeps_its_mails_out_of_the_console(settings, capsys):
    """`make run RUN_PORT=8001` sets PORTAL_URL for the demo too: the list names that port. The demo's own mails are
    recorded as sent (the Postausgang shows them), so the worker beside the server does not print them after it."""
    settings.DEBUG = True
    settings.PORTAL_URL = "http://localhost:8001"
    queued_before = factories.OutboxMessageFactory()  # a mail of the portal's own use waits for the worker
    call_command("demo")
    printed = capsys.readouterr().out
    assert "http://localhost:8001/login/" in printed and "http://localhost:8001/admin/" in printed
    assert "localhost:8000" not in printed
    demo_mails = OutboxMessage.objects.exclude(pk=queued_before.pk)
    assert demo_mails.exists() and not demo_mails.filter(status=MessageStatus.QUEUED).exists()
    assert OutboxMessage.objects.get(pk=queued_before.pk).status == MessageStatus.QUEUED
    assert "Postausgang" in printed
    notices.send_due()  # what the worker beside the server does first: the demo's cases are told already
    assert not OutboxMessage.objects.filter(status=MessageStatus.QUEUED).exclude(pk=queued_before.pk).exists()


def test_demo_versicherte_in_every_unit_with_verlauf_and_meldungen_in_every_status(settings):
    settings.DEBUG = True
    call_command("demo")
    for unit in BillingUnit.objects.all():
        persons = Employment.objects.filter(billing_unit=unit).count()
        assert 20 <= persons <= 61, unit  # one of Gera's moved between two of its units
        years = set(Section.objects.filter(billing_unit=unit).values_list("start__year", flat=True))
        assert len(years) >= 3, unit
        assert set(Report.objects.filter(billing_unit=unit).values_list("status", flat=True)) == set(
            ReportStatus.values
        ), unit
    assert Report.objects.filter(kind=Kind.CORRECTION).exists() and Report.objects.filter(kind=Kind.DEREGISTRATION)
    assert InsuredPerson.objects.filter(employments__billing_unit__number__in=["002020", "002021"]).count() > len(
        set(InsuredPerson.objects.filter(employments__billing_unit__number="002020"))
    )
