"""`python manage.py demo`: idempotent demo data for trying the portal (never in production).

Everything is made through the same services the portal uses, so the demo has its audit trail too.
Running it again changes nothing: existing members, units and users are left exactly as they are.
"""

import logging
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp, services
from accounts.models import Role, Status, User
from billing_units.models import BillingUnit, Member
from clerks import notices
from clerks import services as clerk_services
from demo import insured_persons
from insured.models import InsuredPerson
from outbox import worker
from outbox.models import OutboxMessage
from registration import services as registration_services
from registration.models import AdministratorApplication
from security import devices

PASSWORD = "Thueringen-2026!"

MEMBERS = [
    {
        "number": "002020",
        "name": "Stadt Gera",
        "street": "Kornmarkt 12",
        "postal_code": "07545",
        "city": "Gera",
        "units": [
            ("002020", "Stadt Gera"),
            ("002021", "Stadt Gera – Eigenbetrieb Bäder"),
            ("002022", "Stadt Gera – Kita-Verbund"),
        ],
    },
    {
        "number": "003030",
        "name": "Stadt Jena",
        "street": "Am Anger 15",
        "postal_code": "07743",
        "city": "Jena",
        "units": [("003030", "Stadt Jena"), ("003031", "Stadt Jena – Kommunale Immobilien")],
    },
]

ADMINISTRATORS = [
    ("admin@stadt-gera.example", "Maria", "Keller", "0365 838-1001", "002020"),
    ("personal@stadt-gera.example", "Jonas", "Richter", "0365 838-1002", "002020"),
    ("admin@stadt-jena.example", "Sabine", "Hartmann", "03641 49-2001", "003030"),
]

# email, first name, last name, phone, administrator, units, final status
CLERKS = [
    ("anna.schmidt@stadt-gera.example", "Anna", "Schmidt", "0365 838-2101", 0, ["002020", "002021"], Status.ACTIVE),
    ("bernd.mueller@stadt-gera.example", "Bernd", "Müller", "0365 838-2102", 0, ["002022"], Status.PENDING),
    ("clara.wagner@stadt-gera.example", "Clara", "Wagner", "0365 838-2103", 0, ["002020"], Status.LOCKED),
    ("dieter.fischer@stadt-gera.example", "Dieter", "Fischer", "0365 838-2104", 1, ["002021"], Status.DEACTIVATED),
    ("eva.becker@stadt-jena.example", "Eva", "Becker", "03641 49-2101", 2, ["003030", "003031"], Status.ACTIVE),
    ("frank.hoffmann@stadt-jena.example", "Frank", "Hoffmann", "03641 49-2102", 2, ["003031"], Status.PENDING),
]

STAFF_EMAIL = "zvk@kvt-zvk.example"
# The authenticator app of every demo administrator and the fund staff account: this secret, typed into any app
# (base32 below), or `manage.py demo_code` for the current code. A demo only: real accounts enrol their own.
DEMO_TOTP_KEY = "5a564b2d5468756572696e67656e2d44454d4f21"  # "ZVK-Thueringen-DEMO!"
DEMO_TOTP_BASE32 = b32encode(unhexlify(DEMO_TOTP_KEY)).decode()


class Command(BaseCommand):
    help = "Legt Demodaten an (Stadt Gera, Stadt Jena, Administratoren, Sachbearbeiter). Mehrfach ausführbar."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demodaten werden nur mit DEBUG=1 angelegt, nie in einer Produktivumgebung.")
        # The demo's own e-mails (confirmations, notices) and its security log lines (the wrong passwords that
        # make a clerk Deaktiviert) would only clutter the console: it prints its list of logins and nothing else.
        security_logger = logging.getLogger("security")
        level, security_logger.level = security_logger.level, logging.CRITICAL
        earlier = list(OutboxMessage.objects.values_list("pk", flat=True))
        try:
            with transaction.atomic():
                staff = self._staff()
                members = {m["number"]: self._member(m) for m in MEMBERS}
                admins = [self._administrator(staff, members[member], *person) for *person, member in ADMINISTRATORS]
                for account in [staff, *admins]:
                    self._authenticator_app(account)
                clerks = [
                    self._clerk(admins[admin], (email, first, last, phone), units, status)
                    for email, first, last, phone, admin, units, status in CLERKS
                ]
                # The unit's clerk writes the demo's Meldungen: an active one where the unit has one.
                writers = {}
                for clerk, (*_person, units, _status) in sorted(
                    zip(clerks, CLERKS, strict=True), key=lambda pair: pair[1][-1] != Status.ACTIVE
                ):
                    for number in units:
                        writers.setdefault(number, clerk)
                insured_persons.add(clerks_by_unit=writers, staff=staff)
                insured_persons.move(from_number="002020", to_number="002021")
            # Its mails, and the notices its events give the administrators, are recorded as sent without being
            # printed: the worker beside the server (make run) would otherwise print them below the list of logins.
            # The Postausgang of the Django admin shows them.
            notices.send_due()
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                worker.deliver_due(among=OutboxMessage.objects.exclude(pk__in=earlier))
        finally:
            security_logger.level = level
        self._print(admins, clerks)

    def _staff(self) -> User:
        staff = User.objects.filter(email=STAFF_EMAIL, role=Role.STAFF).first()
        if staff is None:
            staff = User.objects.create_superuser(STAFF_EMAIL, PASSWORD, first_name="Petra", last_name="Vogt")
        return staff

    def _authenticator_app(self, user) -> None:
        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Demo-Authenticator-App", key=DEMO_TOTP_KEY, confirmed=True)

    def _member(self, data) -> Member:
        fields = {k: data[k] for k in ("name", "street", "postal_code", "city")}
        member, _ = Member.objects.get_or_create(number=data["number"], defaults=fields)
        for number, name in data["units"]:
            BillingUnit.objects.get_or_create(number=number, defaults={"name": name, "member": member})
        return member

    def _administrator(self, staff, member, email, first_name, last_name, phone) -> User:
        existing = User.objects.filter(email=email, role=Role.ADMINISTRATOR).first()
        if existing is not None:
            return existing
        application = registration_services.submit_application(
            member=member,
            units=[],
            all_units=True,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
        )
        administrator, _otp = registration_services.approve_application(application=application, by=staff)
        return services.set_personal_password(user=administrator, password=PASSWORD)

    def _clerk(self, administrator, data, unit_numbers, status) -> User:
        email, first_name, last_name, phone = data
        existing = User.objects.filter(email=email, role=Role.CLERK).first()
        if existing is not None:
            return existing
        units = BillingUnit.objects.filter(number__in=unit_numbers).values_list("pk", flat=True)
        clerk = clerk_services.create_clerk(
            by=administrator, first_name=first_name, last_name=last_name, phone=phone, email=email, unit_ids=list(units)
        )
        if status in (Status.ACTIVE, Status.LOCKED, Status.DEACTIVATED):
            clerk = services.set_personal_password(user=clerk, password=PASSWORD)
        if status == Status.LOCKED:
            clerk_services.lock_clerk(clerk=clerk, by=administrator, reason="Elternzeit bis 31.12.2026")
        if status == Status.DEACTIVATED:
            # wrong passwords from the clerk's own (trusted) browser, as the manual's §8 describes
            for _ in range(settings.LOGIN_FAILURE_LIMIT):
                services.log_in(
                    role=Role.CLERK,
                    email=email,
                    password="falsches-passwort",
                    ip="127.0.0.1",
                    device_tokens=[devices.token(clerk)],
                )
        clerk.refresh_from_db()
        return clerk

    def _print(self, admins, clerks):
        out = self.stdout.write
        # The address the server was started for: `make run RUN_PORT=…` sets PORTAL_URL for this command too.
        portal = settings.PORTAL_URL.rstrip("/").replace("://127.0.0.1", "://localhost")
        out(
            self.style.SUCCESS(
                f"Demodaten sind angelegt. Anmeldung unter {portal}/login/ (Passkeys brauchen „localhost“, nicht "
                "„127.0.0.1“)"
            )
        )
        out("")
        out(f"Verwaltungsoberfläche (ZVK-Mitarbeiter): {portal}/admin/  {STAFF_EMAIL} / {PASSWORD}")
        out(
            "Die E-Mails der Demodaten sind nicht hier ausgegeben: Sie stehen als versendet im Postausgang der "
            "Verwaltungsoberfläche. E-Mails aus Ihrer Nutzung des Portals gibt der Mail-Worker hier in der Konsole aus."
        )
        out("")
        out(
            "Zweiter Faktor der Administratoren und ZVK-Mitarbeiter: Authenticator-App mit dem Schlüssel "
            f"{DEMO_TOTP_BASE32}; den aktuellen Code zeigt `python manage.py demo_code`."
        )
        out("Sachbearbeiter bestätigen eine Anmeldung von einem neuen Browser mit dem Code aus der E-Mail (Konsole).")
        out("")
        out("Administratoren (Benutzerrolle „Administrator“):")
        for admin in admins:
            out(f"  {admin.email:40} {PASSWORD}   ({admin.get_status_display()})")
        out("")
        out("Sachbearbeiter (Benutzerrolle „Sachbearbeiter“):")
        for clerk in clerks:
            clerk.refresh_from_db()
            secret = otp.readable(clerk)
            login = f"Einmalpasswort {secret}" if secret else (PASSWORD if clerk.status == Status.ACTIVE else "–")
            out(f"  {clerk.email:40} {login:28} ({clerk.get_status_display()})")
        out("")
        out(
            f"Versicherte: {InsuredPerson.objects.count()} in {BillingUnit.objects.count()} Abrechnungsstellen, mit "
            "Versicherungsverlauf und Meldungen in jedem Status (Menü „Versicherte“ und „Meldungen“ der Sachbearbeiter)."
        )
        out("")
        open_applications = AdministratorApplication.objects.filter(status="open").count()
        if open_applications:
            out(f"Offene Registrierungen: {open_applications}")
