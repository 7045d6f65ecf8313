"""factory-boy factories for every model. They set up state directly; the tests drive the services."""

import time
from binascii import unhexlify
from datetime import date
from decimal import Decimal

import factory
from django.conf import settings
from django.core import signing
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.models import Membership, PasswordRequest, Role, Status, User
from audit.models import AuditEntry
from billing_units.models import BillingUnit, Member
from clerks.models import Grant, LockKind, MemberLock
from insured.models import BookingKey, Employment, InsuredPerson, Kind, Report, ReportSection, Section
from outbox.models import OutboxMessage
from registration.models import AdministratorApplication
from security import devices

PASSWORD = "Ein sicheres Passwort 2026"
# The authenticator app every administrator and fund staff member of the factories has (RFC 6238's test secret).
TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(user, *, key: str | None = None) -> str:
    """The code the user's authenticator app (or the app being set up with `key`) shows now, or the next one if this
    one was used already (one step of drift is accepted, so a test may log in twice within 30 seconds)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    key = key or (device.key if device is not None else TOTP_KEY)
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    now = int(time.time()) // 30
    step = now if device is None or device.last_t < now else device.last_t + 1
    totp.time = step * 30
    return f"{totp.token():06d}"


def device_tokens(*users) -> list[str]:
    """The device-cookie tokens of browsers trusted for these users (DESIGN §8), for `services.log_in`."""
    return [devices.token(user) for user in users]


def trust_device(client, *users):
    """Give a test client the device cookie of a browser that has logged in to these users before."""
    client.cookies[settings.DEVICE_COOKIE_NAME] = signing.dumps(device_tokens(*users), salt=devices.SALT, compress=True)
    return client


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{100000 + n:06d}")
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    street = "Markt 1"
    postal_code = "07545"
    city = "Gera"


class BillingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingUnit
        django_get_or_create = ("number",)

    member = factory.SubFactory(MemberFactory)
    number = factory.Sequence(lambda n: f"{500000 + n:06d}")
    name = factory.Sequence(lambda n: f"Abrechnungsstelle {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a personal password (PASSWORD) in status Aktiv."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    role = Role.CLERK
    status = Status.ACTIVE
    email = factory.Sequence(lambda n: f"person{n}@gemeinde.example")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    phone = "0365 838-0000"
    is_active = factory.LazyAttribute(lambda u: u.status != Status.LOCKED)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for member in extracted or []:
            Membership.objects.get_or_create(user=self, member=member)


def _enrol_app(user, create, extracted):
    """Administrators and fund staff must have a second factor: an authenticator app with TOTP_KEY, unless the
    test says `second_factor=False`."""
    if create and extracted is not False:
        TOTPDevice.objects.create(user=user, name="Authenticator-App 1", key=TOTP_KEY, confirmed=True)


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR
    email = factory.Sequence(lambda n: f"admin{n}@gemeinde.example")

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        _enrol_app(self, create, extracted)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        """The billing units the administrator registered for; it belongs to their members."""
        for unit in extracted or []:
            self.scope_units.add(unit)
            Membership.objects.get_or_create(user=self, member=unit.member)


class ClerkFactory(UserFactory):
    role = Role.CLERK
    email = factory.Sequence(lambda n: f"sachbearbeiter{n}@gemeinde.example")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        """Granted billing units; the clerk belongs to their members."""
        for unit in extracted or []:
            Grant.objects.create(clerk=self, billing_unit=unit)
            Membership.objects.get_or_create(user=self, member=unit.member)


class PendingClerkFactory(ClerkFactory):
    """A clerk just created by its administrator: status Ausstehend with a one-time password."""

    status = Status.PENDING
    password = "!unusable"

    @factory.post_generation
    def one_time_password(self, create, extracted, **kwargs):
        self.otp_plain = otp.issue(self)
        self.save()


class StaffFactory(UserFactory):
    role = Role.STAFF
    is_staff = True
    is_superuser = True
    email = factory.Sequence(lambda n: f"mitarbeiter{n}@kvt-zvk.example")

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        _enrol_app(self, create, extracted)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    clerk = factory.SubFactory(ClerkFactory)
    billing_unit = factory.SubFactory(BillingUnitFactory)


class MemberLockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberLock

    clerk = factory.SubFactory(ClerkFactory)
    member = factory.SubFactory(MemberFactory)
    kind = LockKind.ADMINISTRATOR
    reason = "Elternzeit"
    locked_by_label = "admin@gemeinde.example"


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = "login.succeeded"
    actor_label = "System"


class PasswordRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PasswordRequest

    email = factory.Sequence(lambda n: f"anfrage{n}@gemeinde.example")
    role = Role.CLERK


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministratorApplication

    first_name = "Neue"
    last_name = "Administratorin"
    email = factory.Sequence(lambda n: f"neu{n}@gemeinde.example")
    phone = "0365 838-3000"
    member = factory.SubFactory(MemberFactory)
    all_units = True
    responsibilities_confirmed = True


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A mail waiting in the outbox, as accounts.emails.send_templated writes it."""

    class Meta:
        model = OutboxMessage

    template = "otp_reset"
    to = factory.Sequence(lambda n: f"empfaenger{n}@gemeinde.example")
    subject = "Neues Einmalpasswort für das Mitgliederportal"
    body = "Guten Tag,\n\nIhr Administrator hat ein neues Einmalpasswort gesetzt.\n"
    from_email = "Zusatzversorgungskasse Thüringen <portal@kvt-zvk.de>"
    message_id = factory.Sequence(lambda n: f"<{n}.test@portal.meinezvk.de>")


# --- The clerk's workspace (insured/) -------------------------------------------------------------------------


class InsuredPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsuredPerson

    insurance_number = factory.Sequence(lambda n: f"{9000000000 + n:010d}")
    last_name = factory.Faker("last_name", locale="de_DE")
    first_name = factory.Faker("first_name", locale="de_DE")
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=64)


class EmploymentFactory(factory.django.DjangoModelFactory):
    """A person employed at a unit since 2015 (a new person unless one is given)."""

    class Meta:
        model = Employment

    person = factory.SubFactory(InsuredPersonFactory)
    billing_unit = factory.SubFactory(BillingUnitFactory)
    personnel_number = factory.Sequence(lambda n: f"P{n:05d}")
    start = date(2015, 1, 1)
    end = None


class SectionFactory(factory.django.DjangoModelFactory):
    """A processed Versicherungsabschnitt: the whole year 2025, Pflichtversicherung."""

    class Meta:
        model = Section

    person = factory.SubFactory(InsuredPersonFactory)
    billing_unit = factory.SubFactory(BillingUnitFactory)
    start = date(2025, 1, 1)
    end = date(2025, 12, 31)
    booking_key = BookingKey.COMPULSORY
    pay = Decimal("42000.00")
    contribution = Decimal("1785.00")


class ReportFactory(factory.django.DjangoModelFactory):
    """A Jahresmeldung erfasst for 2026 with one Abschnitt (January to June)."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    person = factory.SubFactory(InsuredPersonFactory)
    billing_unit = factory.SubFactory(BillingUnitFactory)
    kind = Kind.ANNUAL
    year = 2026
    created_by = factory.SubFactory(ClerkFactory)

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if not create or self.kind != Kind.ANNUAL:
            return
        for start, end, pay in (
            extracted if extracted is not None else [(date(2026, 1, 1), date(2026, 6, 30), "21000.00")]
        ):
            ReportSection.objects.create(
                report=self, start=start, end=end, booking_key=BookingKey.COMPULSORY, pay=Decimal(pay)
            )
