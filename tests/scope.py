"""Shared tools of the scope matrix, the CSRF walk and the fuzz tests.

- `url_patterns()` walks Django's URL resolver, nested includes and the admin's own URLs included, so a new view
  appears here without anyone listing it;
- `World` holds the people and objects of two members, Gera and Jena, whose ids are put into the URLs;
- `snapshot()` reads every row of the domain tables, so a test can prove that a request changed nothing;
- `rolled_back()` runs one request in a transaction that is undone afterwards, so every request of a walk meets
  the same data.
"""

import copy
import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, PasswordRequest, User
from audit.models import AuditEntry
from billing_units.models import BillingUnit, Member
from clerks import services as clerk_services
from clerks.models import AccessReview, Confirmation, Grant, MemberLock, SuspendedGrant
from insured.models import AccessLogEntry, Employment, InsuredPerson, Report, ReportSection, Section
from outbox.models import OutboxMessage
from registration.models import AdministratorApplication
from retention.models import RetentionRun
from tests import factories

# --- The URL patterns of the project --------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the full route for an unnamed pattern
    route: str  # the full route, e.g. "benutzer/<int:pk>/sperren/<int:lock_pk>/aufheben/"
    params: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.key.startswith("admin:") or self.route.startswith("admin/")

    def url(self, **kwargs) -> str:
        """The address of this pattern with the given parameters put in, checked to resolve back to it."""
        missing = set(self.params) - set(kwargs)
        if missing:
            raise KeyError(f"{self.key}: no value for {sorted(missing)}")
        path = self.route
        for name, value in kwargs.items():
            path = re.sub(rf"\(\?P<{name}>(?:[^()]|\([^()]*\))*\)", str(value), path)  # re_path("(?P<url>.*)$")
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)  # path("…/<int:pk>/")
        url = "/" + path.replace("^", "").replace("$", "")
        matched = resolve(url).route
        assert matched == self.route.replace("admin/^", "admin/"), f"{url} resolves to {matched}, not {self.route}"
        return url


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            key = name or route  # an unnamed pattern is known by its route
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)) + tuple(re.findall(r"\(\?P<(\w+)>", route))
            yield Pattern(key=key, route=route, params=params)


def url_patterns() -> list[Pattern]:
    """Every URL pattern the project answers to, in resolver order."""
    found = list(_walk(get_resolver().url_patterns))
    keys = [p.key for p in found]
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"URL patterns with the same name: {sorted(duplicates)}"
    return found


# --- The people and objects of two members ----------------------------------------------------------

MEMBERS = ("gera", "jena")
# Whose objects a clerk screen's URL names: Gera's, Jena's, and those that span both members (DESIGN §8): a clerk
# with a Gera and a Jena unit, one of them locked by Gera, and an administrator registered for both.
OWNERS = (*MEMBERS, "shared")


@dataclass
class Side:
    """One member with everything of it that a URL can name."""

    member: Member
    units: list
    admin: User  # makes the requests of this member's administrator
    admin2: User  # the administrator whose lock URLs are requested
    clerk: User  # an active clerk, target of the clerk URLs
    locked_clerk: User
    lock: MemberLock
    application: AdministratorApplication | None
    password_request: PasswordRequest | None
    mail: OutboxMessage | None
    domain: str
    person: InsuredPerson | None = None  # a Versicherter of the side's first unit
    report: Report | None = None  # a Meldung erfasst for that person

    def objects(self) -> dict:
        """The object of each model that an admin URL of this member names (by the model's label)."""
        return {
            "accounts.user": self.clerk,
            "accounts.passwordrequest": self.password_request,
            "registration.administratorapplication": self.application,
            "audit.auditentry": AuditEntry.objects.filter(target=self.locked_clerk).earliest("pk"),
            "billing_units.member": self.member,
            "billing_units.billingunit": self.units[0],
            "clerks.grant": Grant.objects.filter(clerk=self.clerk).earliest("pk"),
            "clerks.memberlock": self.lock,
            "clerks.accessreview": AccessReview.objects.filter(member=self.member).first(),
            "outbox.outboxmessage": self.mail,
            "insured.insuredperson": self.person,
            "insured.report": self.report,
        }


class World:
    """Gera's and Jena's objects, the requesting people, and whatever a test module adds (browsers, baseline)."""

    def __init__(self, sides: dict, clerk: User, staff: User, group: Group):
        self.sides = sides
        self.clerk = clerk  # a clerk of Gera who makes the requests of the role "clerk"
        self.staff = staff
        self.group = group
        self.partial_admin = factories.AdministratorFactory(
            email="teil@stadt-gera.example", units=sides["gera"].units[1:2]
        )  # registered for Gera's second unit only
        self.requesters = {
            "anonymous": None,
            "clerk": clerk,
            "gera_admin": sides["gera"].admin,
            "jena_admin": sides["jena"].admin,
            "gera_partial": self.partial_admin,
            "staff": staff,
            # the clerks whom the workspace's URLs are walked as besides (CLERK_ROLES)
            "clerk_ungranted": factories.ClerkFactory(
                email="ohne@stadt-gera.example", units=sides["gera"].units[1:2]
            ),  # Gera's second unit only: not the one of Gera's Versicherter
            "clerk_locked": sides["gera"].locked_clerk,  # Gesperrt: its session is dead
            "clerk_suspended": sides["shared"].locked_clerk,  # Gera's grant suspended by Gera's lock, Jena's active
            "jena_clerk": sides["jena"].clerk,
        }

    def __getitem__(self, member: str) -> Side:
        return self.sides[member]

    def __repr__(self):
        return "World(Gera, Jena)"


def _side(member_number, name, unit_numbers, domain) -> Side:
    member = factories.MemberFactory(number=member_number, name=name)
    units = [factories.BillingUnitFactory(member=member, number=n, name=f"{name} {n}") for n in unit_numbers]
    admin = factories.AdministratorFactory(email=f"admin@{domain}", units=units)
    admin2 = factories.AdministratorFactory(email=f"personal@{domain}", units=units)
    clerk = factories.ClerkFactory(email=f"ziel@{domain}", units=units[:1])
    locked_clerk = factories.ClerkFactory(email=f"gesperrt@{domain}", units=units[:1])
    [lock] = clerk_services.lock_clerk(clerk=locked_clerk, by=admin, reason="Elternzeit")
    person = factories.InsuredPersonFactory(insurance_number=f"{member_number}0001", last_name="Müller")
    factories.EmploymentFactory(person=person, billing_unit=units[0])
    factories.SectionFactory(person=person, billing_unit=units[0])
    return Side(
        member=member,
        units=units,
        admin=admin,
        admin2=admin2,
        clerk=clerk,
        locked_clerk=locked_clerk,
        lock=lock,
        application=factories.ApplicationFactory(member=member, email=f"neu@{domain}"),
        password_request=factories.PasswordRequestFactory(email=clerk.email, user=clerk),
        mail=factories.OutboxMessageFactory(to=clerk.email),
        domain=domain,
        person=person,
        report=factories.ReportFactory(person=person, billing_unit=units[0], created_by=clerk),
    )


def _shared_side(gera: Side, jena: Side) -> Side:
    """What spans both members: its clerk holds Gera's first and Jena's first unit, its locked clerk the same and a
    lock by Gera, its administrator is registered for all units of both."""
    both = [gera.units[0], jena.units[0]]
    clerk = factories.ClerkFactory(email="geteilt@stadt-gera.example", units=both)
    locked_clerk = factories.ClerkFactory(email="geteilt-gesperrt@stadt-gera.example", units=both)
    [lock] = clerk_services.lock_clerk(clerk=locked_clerk, by=gera.admin, reason="Elternzeit")
    return Side(
        member=gera.member,
        units=gera.units,
        admin=gera.admin,
        admin2=factories.AdministratorFactory(email="beide@stadt-gera.example", units=gera.units + jena.units),
        clerk=clerk,
        locked_clerk=locked_clerk,
        lock=lock,
        application=None,
        password_request=None,
        mail=None,
        domain="stadt-gera.example",
    )


def build_world() -> World:
    sides = {
        "gera": _side("002020", "Stadt Gera", ["002020", "002021"], "stadt-gera.example"),
        "jena": _side("003030", "Stadt Jena", ["003030", "003031"], "stadt-jena.example"),
    }
    sides["shared"] = _shared_side(sides["gera"], sides["jena"])
    world = World(
        sides=sides,
        clerk=factories.ClerkFactory(email="anfrage@stadt-gera.example", units=sides["gera"].units),
        staff=factories.StaffFactory(email="zvk@kvt-zvk.example"),
        group=Group.objects.create(name="Matrix"),
    )
    world.retention_run = RetentionRun.objects.create(dry_run=True, report={"users_pseudonymised": []})
    for member in ("gera", "jena"):  # the yearly review is open for both members
        AccessReview.objects.create(member=sides[member].member, year=2026)
    world.access_log = {
        member: AccessLogEntry.objects.create(
            user=sides[member].clerk,
            person=sides[member].person,
            billing_unit=sides[member].units[0],
            page="person",
            path="/versicherte/",
        )
        for member in ("gera", "jena")
    }
    return world


ROLES = ("anonymous", "clerk", "gera_admin", "jena_admin", "gera_partial", "staff")
# Who else requests the clerk's workspace (insured persons' data): a clerk of Gera without the grant of the person's
# unit, a locked clerk, a clerk whose Gera grant a member lock suspended, Jena's clerk.
CLERK_ROLES = ("clerk_ungranted", "clerk_locked", "clerk_suspended", "jena_clerk")


def url_kwargs(pattern: Pattern, world: World, owner: str | None) -> dict:
    """The ids of the owner's objects for the pattern's parameters. A parameter that no rule here knows fails
    loudly: a new URL needs a line here as well as in the matrix."""
    if not pattern.params:
        return {}
    side = world[owner]
    explicit = {
        "clerks:unlock": {"pk": side.locked_clerk.pk, "lock_pk": side.lock.pk},
        "clerks:review": {"member_pk": side.member.pk},
        "clerks:review_confirm_page": {"member_pk": side.member.pk},
        "clerks:review_confirm": {"member_pk": side.member.pk, "pk": side.clerk.pk},
        "clerks:lock_administrator": {"pk": side.admin2.pk},
        "clerks:administrator": {"pk": side.admin2.pk},
        "clerks:lock_administrator_confirm": {"pk": side.admin2.pk},
        "admin:accounts_user_letter": {"pk": side.clerk.pk},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(User).pk,
            "object_id": side.clerk.pk,
        },
        "admin:app_list": {"app_label": "accounts"},
        # a user's own factors: the side's administrator's authenticator app (the world holds no passkey, so its
        # id names no passkey of anybody's)
        "factors:remove_totp": {"pk": TOTPDevice.objects.get(user=side.admin).pk},
        "factors:remove_passkey": {"pk": TOTPDevice.objects.get(user=side.admin).pk},
        "factors:rename_passkey": {"pk": TOTPDevice.objects.get(user=side.admin).pk},
        "admin/(?P<url>.*)$": {"url": "nicht-vorhanden/"},
    }
    person, report = getattr(side.person, "pk", None), getattr(side.report, "pk", None)  # the shared side has none
    explicit |= {
        "insured:person": {"pk": person},
        "insured:report_new": {"pk": person},
        "insured:report_create": {"pk": person, "kind": "annual"},
        "insured:report": {"pk": report},
        "insured:report_edit": {"pk": report},
        "insured:report_delete": {"pk": report},
        "admin:insured_report_process": {"object_id": report},
        "admin:insured_report_reject": {"object_id": report},
    }
    if pattern.key in explicit:
        return explicit[pattern.key]
    if pattern.key.startswith("clerks:") and pattern.params == ("pk",):
        return {"pk": side.clerk.pk}  # the administrator's screens of a clerk
    if pattern.route.startswith("admin/") and pattern.params == ("object_id",):
        app_label, model_name = pattern.route.split("/")[1:3]
        label = f"{app_label}.{model_name}"
        if label == "auth.group":
            return {"object_id": world.group.pk}  # groups belong to no member
        if label == "retention.retentionrun":
            return {"object_id": world.retention_run.pk}  # a deletion run belongs to no member
        if label == "insured.accesslogentry":
            return {"object_id": world.access_log[owner].pk}
        objects = side.objects()
        if label not in objects:
            raise KeyError(f"{pattern.key}: a new model in the admin? Add its object of each member to Side.objects().")
        return {"object_id": objects[label].pk}
    raise KeyError(f"{pattern.key}: which objects do {pattern.params} name? Add a rule to url_kwargs().")


def post_data(world: World, owner: str | None) -> dict:
    """A plausible, valid POST for every form of the portal at once, with the owner's ids: a refused request is
    refused for who sends it, not for what it sends."""
    side = world[owner or "gera"]
    return {
        "reason": "Prüfung der Zugriffsrechte",
        "first_name": "Max",
        "last_name": "Muster",
        "phone": "0365 838-4711",
        "email": f"max.muster@{side.domain}",
        "units": [side.units[0].pk],
        "role": "clerk",
        "password": "irgendein Passwort 2026",
        "token": "entwurf",
        "kind": "handover",
        "meldung": [side.report.pk] if side.report else [],  # "Übermitteln"
    }


class Browser:
    """A client logged in once; every request starts from the cookies it had right after the login, so a request
    that logged it out (and was rolled back) does not spoil the next one.

    Each request comes from its own loopback address: the walks send far more login POSTs than a per-address
    login throttle lets through, and that throttle is not what they test."""

    addresses = itertools.count(1)

    def __init__(self, user: User | None, **client_kwargs):
        self.client = Client(**client_kwargs)
        if user is not None:
            self.client.force_login(user)
        self.cookies = copy.deepcopy(self.client.cookies)

    def request(self, method: str, url: str, data=None, **extra):
        self.client.cookies = copy.deepcopy(self.cookies)
        n = next(self.addresses)
        extra.setdefault("REMOTE_ADDR", f"127.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}")
        if method == "get":
            return self.client.get(url, **extra)
        return self.client.post(url, data or {}, **extra)


# --- The domain tables -----------------------------------------------------------------------------

DOMAIN_MODELS = [
    User,
    User.scope_units.through,
    Membership,
    Grant,
    MemberLock,
    SuspendedGrant,
    AuditEntry,
    PasswordRequest,
    AdministratorApplication,
    AdministratorApplication.billing_units.through,
    Member,
    BillingUnit,
    Group,
    OutboxMessage,
    RetentionRun,
    AccessReview,
    Confirmation,
    # The access log is left out: every read of a person's data writes to it by design
    # (tests/insured/test_admin_and_access_log.py and tests/insured/test_views.py say which).
    InsuredPerson,
    Employment,
    Section,
    Report,
    ReportSection,
]


def snapshot() -> dict:
    """Every row of every domain table (plain SQL: the matrix takes thousands of these)."""
    rows = {}
    with connection.cursor() as cursor:
        for model in DOMAIN_MODELS:
            table, pk = connection.ops.quote_name(model._meta.db_table), model._meta.pk.column
            cursor.execute(f"SELECT * FROM {table} ORDER BY {connection.ops.quote_name(pk)}")
            rows[model._meta.label] = cursor.fetchall()
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


@contextmanager
def rolled_back():
    """Undo whatever happens inside (the surrounding test transaction stays)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
