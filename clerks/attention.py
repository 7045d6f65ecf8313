"""Handlungsbedarf: what waits for the administrator at the top of "Verwaltung der Benutzer" — one-time passwords
to hand over (and why one was set), one-time passwords that expire within EXPIRY_WARNING_DAYS or have expired,
clerks without any billing unit, clerks for whom untrusted browsers are being refused, and dormant accounts.

Two queries at most however many clerks the member has: the clerks concerned in one, the refusal windows in a
second only while any window refuses at all.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import HOLDS_AN_OTP, Membership, Role, Status, User, awaits_handover_q
from clerks.models import Grant
from security import devices
from security.models import ThrottleWindow
from security.throttling import ACCOUNT_SCOPE

EXPIRY_WARNING_DAYS = 3
SHOWN_PER_GROUP = 20  # the filter "Handlungsbedarf" lists them all
OTP_ANCHOR = "#einmalpasswort"  # the Detailansicht's panel "Einmalpasswort"
READ_AT_MOST = 200  # clerks read for the panel: a member with hundreds of dormant clerks costs no more than this


class Person(NamedTuple):
    """Whom an entry names and links to: a member may have hundreds of clerks in "Handlungsbedarf", and a model
    instance per clerk would cost more than reading it."""

    pk: int
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Entry:
    person: Person
    reason: str  # why the person is listed; "{:…}" in it is filled with `moment` in the current time zone
    step: str  # the next step's label
    url_name: str  # its URL (with the person's pk)
    moment: datetime | None = None
    anchor: str = ""  # the part of the page the step is on ("#einmalpasswort"), or the page's top

    @property
    def why(self) -> str:
        """Formatted when shown: a group counts all its entries but shows only SHOWN_PER_GROUP."""
        return self.reason.format(timezone.localtime(self.moment)) if "{" in self.reason else self.reason


@dataclass
class Group:
    title: str
    entries: list
    capped: bool = False  # more clerks need attention than were read (READ_AT_MOST): the count is a minimum

    @property
    def shown(self):
        return self.entries[:SHOWN_PER_GROUP]


def _pending(person, status, password, otp_created_at, last_login) -> Entry:
    if status == Status.DEACTIVATED:
        why, moment = "nach Falscheingaben deaktiviert", None
    elif User(status=status, password=password).password_reset_pending:
        why, moment = "„Passwort vergessen“ am {:%d.%m.%Y}", otp_created_at
    elif last_login is None:
        why, moment = "neu angelegt", None
    else:
        why, moment = "wieder freigeschaltet oder neues Einmalpasswort gesetzt", None
    return Entry(person, why, "Einmalpasswort anzeigen", "clerks:detail", moment, OTP_ANCHOR)


# What an entry needs of a clerk (after its pk).
FIELDS = ["first_name", "last_name", "status", "password", "otp_created_at", "otp_expires_at", "last_login"]
FIELDS += ["date_joined"]


def _concerned(by, dormant_since):
    """The member's clerks that need attention, in list order, at most READ_AT_MOST + 1: their pk, FIELDS and a
    grant's pk (None: no billing unit). Read from the memberships' copy of the name (see Membership): in
    name order they are the first entries of a member's index, so a large member's clerks are read only until
    enough are found, never all of them sorted."""
    waiting = awaits_handover_q("user__")
    dormant = Q(user__last_login__lt=dormant_since) | Q(
        user__last_login__isnull=True, user__date_joined__lt=dormant_since
    )
    grants = Grant.objects.filter(clerk=OuterRef("user_id")).order_by()
    rows = (
        Membership.objects.visible_to(by)
        .first_per_user(by)
        .filter(role=Role.CLERK)
        .of_unlocked_users()
        .filter(waiting | ~Exists(grants) | dormant)
        # A scalar subquery, not EXISTS: PostgreSQL may plan an EXISTS in the select list as a scan of all grants.
        .annotate(a_grant=Subquery(grants.values("pk")[:1]))
        .order_by("name_key", "user_id")
        .values_list("user_id", *(f"user__{name}" for name in FIELDS), "a_grant")
    )
    return list(rows[: READ_AT_MOST + 1])


def groups(*, by, now=None) -> list[Group]:
    now = now or timezone.now()
    soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    dormant_since = now - timedelta(days=settings.INACTIVITY_DAYS)
    clerks = _concerned(by, dormant_since)
    capped = len(clerks) > READ_AT_MOST
    handover, expiring, without_units, inactive = [], [], [], []
    for row in clerks[:READ_AT_MOST]:
        pk, first_name, last_name, status, password, otp_created_at, expires, last_login, joined, a_grant = row
        person = Person(pk, first_name, last_name)
        if expires is not None and status in HOLDS_AN_OTP:  # User.awaits_handover
            if expires <= now:
                expiring.append(Entry(person, "Einmalpasswort abgelaufen", "Einmalpasswort setzen", "clerks:reset_otp"))
            else:
                handover.append(_pending(person, status, password, otp_created_at, last_login))
                if expires <= soon:
                    why = "Einmalpasswort läuft am {:%d.%m.%Y %H:%M} ab"
                    expiring.append(Entry(person, why, "Einmalpasswort anzeigen", "clerks:detail", expires, OTP_ANCHOR))
        if a_grant is None:
            without_units.append(Entry(person, "keine Abrechnungsstelle", "+/- Zuordnen", "clerks:assign"))
        last = last_login or joined
        if last < dormant_since:
            inactive.append(Entry(person, "seit {:%d.%m.%Y} nicht angemeldet", "Detailansicht", "clerks:detail", last))
    result = [
        Group("Einmalpasswort übergeben", handover, capped),
        Group("Einmalpasswort läuft ab oder ist abgelaufen", expiring, capped),
        Group("Ohne Abrechnungsstelle", without_units, capped),
        Group("Lange nicht angemeldet", inactive, capped),
        Group("Unbekannte Geräte werden abgewiesen", _refused(by, now)),
    ]
    return [group for group in result if group.entries]


def _refused(by, now) -> list[Entry]:
    """Clerks for whom untrusted browsers are refused now: the windows hold keyed hashes of role and e-mail, so the
    visible clerks' keys are computed only while some window refuses at all."""
    window = timedelta(seconds=settings.UNTRUSTED_LOGIN_WINDOW_SECONDS)
    refusing = set(
        ThrottleWindow.objects.filter(
            scope=ACCOUNT_SCOPE,
            started_at__gt=now - window,
            attempts__gte=settings.UNTRUSTED_LOGIN_FAILURE_LIMIT,
        ).values_list("client", flat=True)
    )
    if not refusing:
        return []
    clerks = User.objects.visible_to(by).clerks().unlocked().order_by("name_key", "pk")
    return [
        Entry(
            Person(clerk.pk, clerk.first_name, clerk.last_name),
            "mehrere Fehlversuche von unbekannten Geräten",
            "Detailansicht",
            "clerks:detail",
        )
        for clerk in clerks
        if devices.account_key(clerk.role, clerk.email) in refusing
    ]


def person_ids(*, by, now=None) -> set[int]:
    """Everyone in "Handlungsbedarf" (the list's status filter of that name; read as far as the panel reads)."""
    return {entry.person.pk for group in groups(by=by, now=now) for entry in group.entries}
