"""The benchmark's dataset: the largest employer among a thousand, built fast with bulk_create.

One large member with 1,000 clerks, 300 billing units, ~3,000 grants, 5 administrators and 100,000 audit
entries; 999 further members fill the database to 100,000 users. The large member's largest billing unit holds
the clerk's workspace at its largest: 5,000 Versicherte with 5 years of Abschnitte each and 2,000 Meldungen (one
person with 10 years of Verlauf); a second unit 50 Versicherte, for t(5,000)/t(50). Every password and one-time password hash
is computed once and reused, so building costs seconds, not an Argon2 hash per user.

Everything is deterministic (a seeded random generator), so two runs measure the same data.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts import otp
from accounts.models import Membership, Role, Status, User
from accounts.spelling import fold
from audit.models import AuditEntry
from base import collation
from billing_units.models import BillingUnit, Member
from clerks.models import Grant, LockKind, MemberLock, SuspendedGrant
from insured.formats import contribution
from insured.models import BookingKey, Employment, InsuredPerson, Kind, Report, ReportSection, ReportStatus, Section

PASSWORD = "Benchmark-Passwort-2026"
SEED = 2026

FIRST_NAME_WORDS = (
    "Anna Bernd Clara Dieter Eva Frank Gisela Hans Ingrid Jürgen Karin Lars Monika Norbert Olga Peter Renate "
    "Stefan Tanja Uwe Vera Werner Yvonne Zoe Andreas Birgit Christian Doris Elke Florian Gabriele Heike Jörg "
    "Katrin Lothar Martina Nadine Oliver Petra Ralf Sabine Thomas Ursula Volker Wiebke Jens Silke Matthias "
    "Jana"
)
LAST_NAME_WORDS = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
    "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner "
    "Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs "
    "Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler "
    "Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher "
    "Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich "
    "Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer"
)
FIRST_NAMES, LAST_NAMES = FIRST_NAME_WORDS.split(), LAST_NAME_WORDS.split()
ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})

# Share of each status among clerks (the rest are Aktiv): what a large employer's list looks like.
PENDING_SHARE, LOCKED_SHARE, DEACTIVATED_SHARE = 0.07, 0.05, 0.03
AUDIT_ACTIONS_WITH_MEMBER = ["clerk.grants_changed", "user.personal_data_changed", "user.otp_reset", "clerk.created"]
AUDIT_ACTIONS_WITHOUT_MEMBER = ["login.succeeded", "login.failed", "user.password_set", "user.logged_out"]


@dataclass
class Shape:
    """How big the dataset is. The defaults are the benchmark's (the largest member among 1,000); the tests
    build a small one."""

    members: int = 1_000
    total_users: int = 100_000
    large_clerks: int = 1_000
    large_units: int = 300
    large_administrators: int = 5
    large_audit_entries: int = 100_000
    grants_per_clerk: int = 3
    detail_grants: int = 50
    detail_audit_entries: int = 300
    small_units: int = 10
    small_administrators: int = 2
    insured_persons: int = 5_000  # in the large member's largest unit
    insured_years: int = 5
    insured_reports: int = 2_000
    small_insured_persons: int = 50  # in a second unit of the large member
    long_verlauf_years: int = 10  # the first person of the largest unit


# The same large member (same seed, same rows, same primary keys) in a database a tenth the size: the
# benchmark compares its pages there with the full dataset's, t(100,000 users)/t(10,000 users). The clerk's workspace
# is measured on the full dataset only.
TENTH = Shape(members=100, total_users=10_000, insured_persons=0, insured_reports=0, small_insured_persons=0)


@dataclass
class Dataset:
    """The people and objects the benchmark's scenarios use (primary keys and e-mail addresses)."""

    large_member: int = 0
    administrators: list[str] = field(default_factory=list)  # e-mails of the large member's administrators
    detail_clerk: int = 0  # a clerk with `detail_grants` grants and a long history
    detail_clerk_email: str = ""
    active_clerks: list[str] = field(default_factory=list)  # e-mails of active clerks (password PASSWORD)
    lockable_clerks: list[int] = field(default_factory=list)  # active clerks for "Berechtigung entziehen"
    unit_ids: list[int] = field(default_factory=list)  # the large member's billing units
    staff_email: str = ""
    counts: dict = field(default_factory=dict)
    tenth_users: int = 0  # users of the tenth dataset, when the benchmark built it
    workspace_clerk_email: str = ""  # a clerk granted the largest unit (5,000 Versicherte)
    small_workspace_clerk_email: str = ""  # a clerk granted the unit of 50 Versicherte
    long_verlauf_person: int = 0  # a Versicherter of the largest unit with 10 years of Verlauf


class Hashes:
    """One hash of PASSWORD and one one-time password, reused for every user of the dataset."""

    def __init__(self):
        self.password = make_password(PASSWORD)
        holder = User()
        self.otp_plain = otp.issue(holder)
        self.otp_hash = holder.otp_hash
        self.otp_ciphertext = holder.otp_ciphertext


def insert_rows(model, fields: list[str], rows) -> None:
    """INSERT many rows without building model instances (bulk_create spends most of its time there).

    Datetimes and JSON go through the same conversion the ORM uses for this database; other values
    (numbers, text, primary keys) are stored as they are.
    """
    from django.db import connection

    columns = [model._meta.get_field(name) for name in fields]
    json_cache = {}

    def convert(field, value):
        kind = field.get_internal_type()
        if kind == "DateTimeField" and value is not None:
            return connection.ops.adapt_datetimefield_value(value)
        if kind == "JSONField":
            key = repr(value)
            if key not in json_cache:
                json_cache[key] = field.get_db_prep_save(value, connection)
            return json_cache[key]
        return value

    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append([convert(f, v) for f, v in zip(columns, row, strict=True)])
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


MEMBERSHIP_COLUMNS = ["user", "member", "created_at", "role", "last_name", "first_name", "name_key"]


def membership_rows(users, member, now) -> list[tuple]:
    """Rows for insert_rows, made by Membership.of() (with its copy of the user's role and name)."""
    made = [Membership.of(user, member=member, created_at=now) for user in users]
    return [(m.user_id, m.member_id, m.created_at, m.role, m.last_name, m.first_name, m.name_key) for m in made]


def _person(rng: random.Random, serial: int, domain: str) -> dict:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    local = f"{first}.{last}".lower().translate(ASCII)
    return {"first_name": first, "last_name": last, "email": f"{local}.{serial}@{domain}"}


def _status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < PENDING_SHARE:
        return Status.PENDING
    if draw < PENDING_SHARE + LOCKED_SHARE:
        return Status.LOCKED
    if draw < PENDING_SHARE + LOCKED_SHARE + DEACTIVATED_SHARE:
        return Status.DEACTIVATED
    return Status.ACTIVE


def _user(hashes: Hashes, role: str, status: str, person: dict, joined) -> User:
    """A user as the services would leave it: a personal password when Aktiv, a one-time password when
    Ausstehend or Deaktiviert, neither when Gesperrt."""
    user = User(role=role, status=status, phone="0361 555-0100", date_joined=joined, **person)
    user.password = hashes.password if status == Status.ACTIVE else "!unusable"
    if status in (Status.PENDING, Status.DEACTIVATED):
        user.otp_hash, user.otp_ciphertext = hashes.otp_hash, hashes.otp_ciphertext
        user.otp_created_at, user.otp_expires_at = joined, joined + timedelta(days=14)
    user.sync_is_active()
    return user


def add_member(number: int, name: str, units: int, city: str = "Erfurt") -> tuple[Member, list[BillingUnit]]:
    member = Member.objects.create(number=f"{number:06d}", name=name, street="Markt 1", postal_code="99084", city=city)
    billing_units = BillingUnit.objects.bulk_create(
        [
            BillingUnit(member=member, number=f"{number + k:06d}", name=f"{name} – Abrechnungsstelle {k + 1}")
            for k in range(units)
        ]
    )
    return member, billing_units


def add_administrators(member, units, count: int, hashes: Hashes, domain: str, rng, serial: int) -> list[User]:
    now = timezone.now()
    admins = User.objects.bulk_create(
        [_user(hashes, Role.ADMINISTRATOR, Status.ACTIVE, _person(rng, serial + k, domain), now) for k in range(count)]
    )
    insert_rows(Membership, MEMBERSHIP_COLUMNS, membership_rows(admins, member, now))
    insert_rows(User.scope_units.through, ["user", "billingunit"], [(a.pk, u.pk) for a in admins for u in units])
    return admins


def add_clerks(
    member, units, count: int, hashes: Hashes, domain: str, rng, *, serial: int, grants_per_clerk: int, granted_by
) -> list[User]:
    """`count` clerks of one member, each with `grants_per_clerk` grants; a Gesperrt clerk's grants are
    suspended by an open member lock, as lock_clerk leaves them."""
    now = timezone.now()
    clerks = User.objects.bulk_create(
        [
            _user(hashes, Role.CLERK, _status(rng), _person(rng, serial + k, domain), now - timedelta(days=k % 700))
            for k in range(count)
        ],
        batch_size=2000,
    )
    insert_rows(Membership, MEMBERSHIP_COLUMNS, membership_rows(clerks, member, now))
    grants, locks, suspended = [], [], []
    for clerk in clerks:
        chosen = rng.sample(units, min(grants_per_clerk, len(units)))
        if clerk.status == Status.LOCKED:
            locks.append(
                MemberLock(
                    clerk=clerk,
                    member=member,
                    kind=LockKind.ADMINISTRATOR,
                    reason="Wechsel in eine andere Dienststelle",
                    locked_by=granted_by,
                    locked_by_label=granted_by.email,
                )
            )
            suspended.append(chosen)
        else:
            grants += [(clerk.pk, unit.pk, granted_by.pk, now) for unit in chosen]
    insert_rows(Grant, ["clerk", "billing_unit", "granted_by", "granted_at"], grants)
    locks = MemberLock.objects.bulk_create(locks, batch_size=2000)
    insert_rows(
        SuspendedGrant,
        ["lock", "billing_unit", "granted_by", "granted_at"],
        [
            (lock.pk, unit.pk, granted_by.pk, now)
            for lock, chosen in zip(locks, suspended, strict=True)
            for unit in chosen
        ],
    )
    return clerks


def make_detail_clerk(member, units, hashes, domain, rng, *, serial, grants, audit_entries, by) -> User:
    """An active clerk with many grants, a lifted member lock and a long history: the heaviest detail page."""
    now = timezone.now()
    person = {"first_name": "Dora", "last_name": "Detail", "email": f"dora.detail.{serial}@{domain}"}
    clerk = User.objects.bulk_create([_user(hashes, Role.CLERK, Status.ACTIVE, person, now)])[0]
    Membership.objects.create(user=clerk, member=member)
    Grant.objects.bulk_create([Grant(clerk=clerk, billing_unit=unit, granted_by=by) for unit in units[:grants]])
    MemberLock.objects.bulk_create(
        [
            MemberLock(
                clerk=clerk,
                member=member,
                reason="Elternzeit",
                locked_by=by,
                locked_by_label=by.email,
                locked_at=now - timedelta(days=400),
                lifted_by=by,
                lifted_by_label=by.email,
                lifted_at=now - timedelta(days=100),
            )
        ]
    )
    add_audit_entries(member, [clerk], [by], audit_entries, rng)
    return clerk


def add_audit_entries(member, targets, actors, count: int, rng: random.Random) -> None:
    """`count` entries about `targets` over the last two years: half with the member (changes by its
    administrators), half without (logins)."""
    now = timezone.now().replace(microsecond=0)
    changed = {"added": ["100001"], "removed": []}
    login = {"ip": "10.0.0.1"}

    def rows():
        for k in range(count):
            target = targets[k % len(targets)] if k % 3 else rng.choice(targets)
            moment = now - timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600))
            if k % 2:
                actor = rng.choice(actors)
                yield (
                    moment,
                    actor.pk,
                    actor.email,
                    rng.choice(AUDIT_ACTIONS_WITH_MEMBER),
                    target.pk,
                    member.pk,
                    changed,
                )
            else:
                action = rng.choice(AUDIT_ACTIONS_WITHOUT_MEMBER)
                yield moment, target.pk, target.email, action, target.pk, None, login

    fields = ["created_at", "actor", "actor_label", "action", "target", "member", "data"]
    insert_rows(AuditEntry, fields, rows())


def build(shape: Shape | None = None, *, seed: int = SEED) -> Dataset:
    """Fill an empty, migrated database. Returns what the scenarios need."""
    shape = shape or Shape()
    rng = random.Random(seed)
    hashes = Hashes()
    data = Dataset()
    with transaction.atomic():
        staff = User.objects.create_superuser("zvk.bench@kvt-zvk.example", PASSWORD, first_name="Z", last_name="VK")
        data.staff_email = staff.email

        # The large member: 5 administrators, 300 billing units, 1,000 clerks, 100,000 audit entries.
        domain = "stadt-gross.example"
        member, units = add_member(100_000, "Stadt Großstadt", shape.large_units)
        admins = add_administrators(member, units, shape.large_administrators, hashes, domain, rng, serial=0)
        detail = make_detail_clerk(
            member,
            units,
            hashes,
            domain,
            rng,
            serial=1,
            grants=shape.detail_grants,
            audit_entries=shape.detail_audit_entries,
            by=admins[0],
        )
        clerks = add_clerks(
            member,
            units,
            shape.large_clerks - 1,
            hashes,
            domain,
            rng,
            serial=100,
            grants_per_clerk=shape.grants_per_clerk,
            granted_by=admins[0],
        )
        add_audit_entries(member, clerks, admins, shape.large_audit_entries - shape.detail_audit_entries, rng)
        active = [c for c in clerks if c.status == Status.ACTIVE]
        data.large_member = member.pk
        data.administrators = [a.email for a in admins]
        data.detail_clerk, data.detail_clerk_email = detail.pk, detail.email
        data.active_clerks = [c.email for c in active[:20]]
        data.lockable_clerks = [c.pk for c in active[20:]]
        data.unit_ids = [u.pk for u in units]

        # The further members share the rest of the users.
        others = shape.members - 1
        workspace_clerks = 2 if shape.insured_persons else 0  # add_workspace's two clerks of the large member
        remaining = shape.total_users - (shape.large_clerks + shape.large_administrators + 1 + workspace_clerks)
        for index in range(others):
            users = remaining // others + (1 if index < remaining % others else 0)
            domain = f"gemeinde-{index + 1}.example"
            small, small_units = add_member(200_000 + index * 100, f"Gemeinde {index + 1}", shape.small_units)
            small_admins = add_administrators(
                small, small_units, shape.small_administrators, hashes, domain, rng, serial=0
            )
            add_clerks(
                small,
                small_units,
                users - shape.small_administrators,
                hashes,
                domain,
                rng,
                serial=100,
                grants_per_clerk=2,
                granted_by=small_admins[0],
            )
        if shape.insured_persons:
            add_workspace(data, shape, units, hashes, rng, by=admins[0])
    data.counts = counts()
    return data


def add_workspace(data: Dataset, shape: Shape, units, hashes: Hashes, rng: random.Random, *, by) -> None:
    """The clerk's workspace of the large member: Versicherte in its largest unit and a small one, their Verlauf,
    Meldungen in every status, and a clerk granted each of the two units."""
    domain = "stadt-gross.example"
    now = timezone.now()
    workers = User.objects.bulk_create(
        [
            _user(
                hashes,
                Role.CLERK,
                Status.ACTIVE,
                {"first_name": first, "last_name": "Meldestelle", "email": email},
                now,
            )
            for first, email in (
                ("Grete", f"grete.meldestelle@{domain}"),
                ("Kurt", f"kurt.meldestelle@{domain}"),
            )
        ]
    )
    insert_rows(Membership, MEMBERSHIP_COLUMNS, membership_rows(workers, units[0].member, now))
    insert_rows(
        Grant,
        ["clerk", "billing_unit", "granted_by", "granted_at"],
        [
            (workers[0].pk, units[0].pk, by.pk, now),
            (workers[1].pk, units[1].pk, by.pk, now),
        ],
    )
    data.workspace_clerk_email, data.small_workspace_clerk_email = workers[0].email, workers[1].email
    large = add_insured(units[0], shape.insured_persons, shape.insured_years, rng, long_years=shape.long_verlauf_years)
    add_insured(units[1], shape.small_insured_persons, shape.insured_years, rng)
    add_reports(units[0], large, shape.insured_reports, rng, clerk=workers[0], staff_id=by.pk)
    data.long_verlauf_person = large[0]


def add_insured(unit, count: int, years: int, rng: random.Random, *, long_years: int = 0) -> list[int]:
    """`count` Versicherte employed at `unit`, each with a whole-year Abschnitt for the last `years` years (the
    first one `long_years`); returns their primary keys in order."""
    today = timezone.localdate()
    numbers = [f"{unit.number}{k + 1:04d}" for k in range(count)]
    names = [(rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)) for _number in numbers]
    insert_rows(
        InsuredPerson,
        ["insurance_number", "last_name", "first_name", "birth_date", "search_name"],
        (
            (number, last, first, today.replace(year=today.year - rng.randint(20, 64), day=1), fold(f"{last} {first}"))
            for number, (last, first) in zip(numbers, names, strict=True)
        ),
    )
    by_number = dict(InsuredPerson.objects.filter(insurance_number__in=numbers).values_list("insurance_number", "pk"))
    persons = [by_number[number] for number in numbers]
    insert_rows(
        Employment,
        ["person", "billing_unit", "personnel_number", "start", "end", "sort_name"],
        (
            (
                pk,
                unit.pk,
                f"{k + 1:06d}",
                today.replace(year=today.year - 12, month=1, day=1),
                None,
                collation.name_key(last, first),
            )
            for k, (pk, (last, first)) in enumerate(zip(persons, names, strict=True))
        ),
    )
    rate = Decimal(settings.INSURED_CONTRIBUTION_RATE)

    def sections():
        for k, pk in enumerate(persons):
            for year in range(today.year - (long_years if k == 0 and long_years else years), today.year):
                pay = Decimal(rng.randint(2_800_000, 6_500_000)) / 100
                yield (
                    pk,
                    unit.pk,
                    date(year, 1, 1),
                    date(year, 12, 31),
                    BookingKey.COMPULSORY,
                    pay,
                    contribution(pay, rate),
                    None,
                )

    insert_rows(
        Section, ["person", "billing_unit", "start", "end", "booking_key", "pay", "contribution", "report"], sections()
    )
    return persons


# How the Meldungen of the largest unit are spread over the statuses.
REPORT_STATUSES = (
    [ReportStatus.PROCESSED] * 4 + [ReportStatus.SUBMITTED] * 3 + [ReportStatus.DRAFT] * 2 + [ReportStatus.REJECTED]
)


def add_reports(unit, persons: list[int], count: int, rng: random.Random, *, clerk, staff_id: int) -> None:
    """`count` Jahresmeldungen of the current year, one Abschnitt each, one person each (the long Verlauf's person
    among them), in every status."""
    now = timezone.now()
    year = timezone.localdate().year
    rows = []
    for k in range(count):
        status = REPORT_STATUSES[k % len(REPORT_STATUSES)]
        sent = status != ReportStatus.DRAFT
        decided = status in (ReportStatus.PROCESSED, ReportStatus.REJECTED)
        moment = now - timedelta(minutes=count - k)
        rows.append(
            (
                persons[k % len(persons)],
                unit.pk,
                Kind.ANNUAL,
                status,
                year,
                clerk.pk,
                moment,
                moment,
                clerk.pk if sent else None,
                moment if sent else None,
                staff_id if decided else None,
                moment if decided else None,
                "Bitte das Entgelt prüfen." if status == ReportStatus.REJECTED else "",
            )
        )
    fields = [
        "person",
        "billing_unit",
        "kind",
        "status",
        "year",
        "created_by",
        "created_at",
        "changed_at",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]
    insert_rows(Report, fields + ["personnel_number", "deregistration_reason"], (row + ("", "") for row in rows))
    reports = Report.objects.filter(billing_unit=unit).values_list("pk", flat=True)
    pay = Decimal("21000.00")
    insert_rows(
        ReportSection,
        ["report", "start", "end", "booking_key", "pay"],
        ((pk, date(year, 1, 1), date(year, 6, 30), BookingKey.COMPULSORY, pay) for pk in reports),
    )


def counts() -> dict:
    return {
        "members": Member.objects.count(),
        "billing_units": BillingUnit.objects.count(),
        "users": User.objects.count(),
        "grants": Grant.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
        "insured_persons": InsuredPerson.objects.count(),
        "sections": Section.objects.count(),
        "reports": Report.objects.count(),
    }


@dataclass
class ScalingMember:
    """A member of a given size for the scaling measurement, with its administrator and a detail clerk."""

    clerks: int
    admin_email: str
    detail_clerk: int


def add_scaling_members(sizes, *, units: int = 60, detail_grants: int = 50, seed: int = SEED + 1) -> list:
    """One member per size (clerks including the detail clerk), all added before any is measured, so every
    size is measured on the same database: only the member's own size differs."""
    rng = random.Random(seed)
    hashes = Hashes()
    members = []
    with transaction.atomic():
        for index, size in enumerate(sizes):
            domain = f"stadt-{size}.example"
            member, billing_units = add_member(900_000 + index * 1000, f"Stadt mit {size} Sachbearbeitern", units)
            admin = add_administrators(member, billing_units, 1, hashes, domain, rng, serial=0)[0]
            detail = make_detail_clerk(
                member, billing_units, hashes, domain, rng, serial=1, grants=detail_grants, audit_entries=300, by=admin
            )
            clerks = add_clerks(
                member,
                billing_units,
                size - 1,
                hashes,
                domain,
                rng,
                serial=100,
                grants_per_clerk=3,
                granted_by=admin,
            )
            add_audit_entries(member, clerks, [admin], (size - 1) * 5, rng)
            members.append(ScalingMember(size, admin.email, detail.pk))
    return members


def analyze() -> None:
    """Give the query planner statistics, as a database in service has them (PostgreSQL's autovacuum runs
    VACUUM and ANALYZE after bulk changes by itself, and the visibility map VACUUM writes lets index-only
    scans skip the table; SQLite keeps its statistics in sqlite_stat1)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
