"""Handlungsbedarf: what waits for the administrator at the top of "Verwaltung der Benutzer" — one-time passwords
to hand over (and why one was set), one-time passwords that expire within EXPIRY_WARNING_DAYS or have expired,
clerks without any billing unit, clerks for whom untrusted browsers are being refused, and dormant accounts.

An administrator marks an entry "übergeben" / "erledigt" (`mark`): it leaves that administrator's box until its case
happens again (AttentionMark names the case it was marked for).

Two queries at most however many clerks the member has: the clerks concerned with the administrator's marks in one,
the refusal windows in a second only while any window refuses at all (and the marks of those clerks then).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import (
    DomainError,
    Membership,
    Role,
    Status,
    User,
    awaits_handover_of,
    awaits_handover_q,
    otp_expired_of,
)
from audit import log as audit
from clerks.models import AttentionKind, AttentionMark, Grant
from security import devices
from security.models import ThrottleWindow
from security.throttling import ACCOUNT_SCOPE

EXPIRY_WARNING_DAYS = 3
SHOWN_PER_GROUP = 20  # the filter "Handlungsbedarf" lists them all
OTP_ANCHOR = "#einmalpasswort"  # the Detailansicht's panel "Einmalpasswort"
READ_AT_MOST = 200  # clerks read for the panel: a member with hundreds of dormant clerks costs no more than this
# The box's folded state, per browser: a cookie that portal.js writes when the administrator folds or unfolds it.
FOLDED_COOKIE = "handlungsbedarf"
GONE = "Dieser Handlungsbedarf besteht nicht mehr."


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
    kind: str  # an AttentionKind
    entries: list
    capped: bool = False  # more clerks need attention than were read (READ_AT_MOST): the count is a minimum

    @property
    def title(self) -> str:
        return AttentionKind(self.kind).label

    @property
    def mark_label(self) -> str:
        """What the administrator says of an entry it has dealt with."""
        return "übergeben" if self.kind == AttentionKind.HANDOVER else "erledigt"

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
# The administrator's marks read beside them: the occurrence each was marked for (for a clerk without units, when).
MARKED = {
    AttentionKind.HANDOVER: "occurrence",
    AttentionKind.EXPIRY: "occurrence",
    AttentionKind.WITHOUT_UNITS: "marked_at",
    AttentionKind.DORMANT: "occurrence",
}


def _concerned(by, dormant_since):
    """The member's clerks that need attention, in list order, at most READ_AT_MOST + 1: their pk, FIELDS, a
    grant's pk (None: no billing unit) and the administrator's marks (MARKED). Read from the memberships' copy of
    the name (see Membership): in name order they are the first entries of a member's index, so a large member's
    clerks are read only until enough are found, never all of them sorted."""
    waiting = awaits_handover_q("user__")
    dormant = Q(user__last_login__lt=dormant_since) | Q(
        user__last_login__isnull=True, user__date_joined__lt=dormant_since
    )
    grants = Grant.objects.filter(clerk=OuterRef("user_id")).order_by()
    marks = AttentionMark.objects.filter(administrator=by, clerk=OuterRef("user_id")).order_by()
    rows = (
        Membership.objects.visible_to(by)
        .first_per_user(by)
        .filter(role=Role.CLERK)
        .of_unlocked_users()
        .filter(waiting | ~Exists(grants) | dormant)
        # A scalar subquery, not EXISTS: PostgreSQL may plan an EXISTS in the select list as a scan of all grants.
        .annotate(a_grant=Subquery(grants.values("pk")[:1]))
        .annotate(
            **{f"marked_{kind}": Subquery(marks.filter(kind=kind).values(field)[:1]) for kind, field in MARKED.items()}
        )
        .order_by("name_key", "user_id")
        .values_list(
            "user_id", *(f"user__{name}" for name in FIELDS), "a_grant", *(f"marked_{kind}" for kind in MARKED)
        )
    )
    return list(rows[: READ_AT_MOST + 1])


def groups(*, by, now=None) -> list[Group]:
    """The kinds with open entries, each with its entries in list order; what the administrator marked for the case
    at hand is left out."""
    now = now or timezone.now()
    soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    dormant_since = now - timedelta(days=settings.INACTIVITY_DAYS)
    clerks = _concerned(by, dormant_since)
    capped = len(clerks) > READ_AT_MOST
    handover, expiring, without_units, inactive = [], [], [], []
    for row in clerks[:READ_AT_MOST]:
        pk, first_name, last_name, status, password, otp_created_at, expires, last_login, joined, a_grant = row[:10]
        marked_handover, marked_expiry, marked_without_units, marked_dormant = row[10:]
        person = Person(pk, first_name, last_name)
        if awaits_handover_of(status, expires):
            if otp_expired_of(expires, now):
                if marked_expiry != expires:
                    entry = Entry(person, "Einmalpasswort abgelaufen", "Einmalpasswort setzen", "clerks:reset_otp")
                    expiring.append(entry)
            else:
                if marked_handover != otp_created_at:
                    handover.append(_pending(person, status, password, otp_created_at, last_login))
                if otp_expired_of(expires, soon) and marked_expiry != expires:
                    why = "Einmalpasswort läuft am {:%d.%m.%Y %H:%M} ab"
                    expiring.append(Entry(person, why, "Einmalpasswort anzeigen", "clerks:detail", expires, OTP_ANCHOR))
        if a_grant is None and marked_without_units is None:
            without_units.append(Entry(person, "keine Abrechnungsstelle", "+/- Zuordnen", "clerks:assign"))
        last = last_login or joined
        if last < dormant_since and marked_dormant != last:
            inactive.append(Entry(person, "seit {:%d.%m.%Y} nicht angemeldet", "Detailansicht", "clerks:detail", last))
    result = [
        Group(AttentionKind.HANDOVER, handover, capped),
        Group(AttentionKind.EXPIRY, expiring, capped),
        Group(AttentionKind.WITHOUT_UNITS, without_units, capped),
        Group(AttentionKind.DORMANT, inactive, capped),
        Group(AttentionKind.REFUSED, _refused(by, now)),
    ]
    return [group for group in result if group.entries]


def _refusal_windows(now) -> dict[str, datetime]:
    """The refusal windows that refuse now: account key -> until when (which also names the window)."""
    window = timedelta(seconds=settings.UNTRUSTED_LOGIN_WINDOW_SECONDS)
    rows = ThrottleWindow.objects.filter(
        scope=ACCOUNT_SCOPE,
        started_at__gt=now - window,
        attempts__gte=settings.UNTRUSTED_LOGIN_FAILURE_LIMIT,
    ).values_list("client", "started_at")
    return {client: started_at + window for client, started_at in rows}


def _refused(by, now) -> list[Entry]:
    """Clerks for whom untrusted browsers are refused now: the windows hold keyed hashes of role and e-mail, so the
    visible clerks' keys are computed only while some window refuses at all."""
    refusing = _refusal_windows(now)
    if not refusing:
        return []
    marked = AttentionMark.objects.filter(administrator=by, clerk=OuterRef("pk"), kind=AttentionKind.REFUSED)
    clerks = (
        User.objects.visible_to(by)
        .clerks()
        .unlocked()
        .annotate(marked=Subquery(marked.order_by().values("occurrence")[:1]))
        .order_by("name_key", "pk")
    )
    entries = []
    for clerk in clerks:
        until = refusing.get(devices.account_key(clerk.role, clerk.email))
        if until is not None and clerk.marked != until:
            person = Person(clerk.pk, clerk.first_name, clerk.last_name)
            entries.append(
                Entry(person, "mehrere Fehlversuche von unbekannten Geräten", "Detailansicht", "clerks:detail")
            )
    return entries


def person_ids(*, by, now=None) -> set[int]:
    """Everyone in "Handlungsbedarf" (the list's status filter of that name; read as far as the panel reads)."""
    return {entry.person.pk for group in groups(by=by, now=now) for entry in group.entries}


# --- "übergeben" / "erledigt" ---------------------------------------------------------------------------------------


def occurrence(clerk: User, kind: str, *, now=None) -> tuple[bool, datetime | None]:
    """Whether the clerk is a case of this kind now, and which occurrence it is (what a mark remembers)."""
    now = now or timezone.now()
    if kind in (AttentionKind.HANDOVER, AttentionKind.EXPIRY):
        if not clerk.awaits_handover:
            return False, None
        if kind == AttentionKind.HANDOVER:
            return not clerk.otp_expired_at(now), clerk.otp_created_at
        return clerk.otp_expired_at(now + timedelta(days=EXPIRY_WARNING_DAYS)), clerk.otp_expires_at
    if kind == AttentionKind.WITHOUT_UNITS:
        return not Grant.objects.filter(clerk=clerk).exists(), None
    if kind == AttentionKind.DORMANT:
        last = clerk.last_login or clerk.date_joined
        return last < now - timedelta(days=settings.INACTIVITY_DAYS), last
    until = _refusal_windows(now).get(devices.account_key(clerk.role, clerk.email))
    return until is not None, until


def mark(*, clerk: User, kind: str, by: User, now=None) -> None:
    """ "übergeben" / "erledigt": the entry leaves this administrator's "Handlungsbedarf" until its case happens again
    (another one-time password, a later expiry, a new stretch without login, a new refusal window, units given and
    taken again). Audited on the clerk. Refused when the clerk is no such case (any more): locked, handed over, …"""
    if kind not in AttentionKind.values:
        raise DomainError(GONE)
    with transaction.atomic():
        clerk = User.objects.select_for_update().get(pk=clerk.pk)
        if clerk.is_locked:
            raise DomainError(GONE)
        holds, case = occurrence(clerk, kind, now=now)
        if not holds:
            raise DomainError(GONE)
        AttentionMark.objects.update_or_create(
            administrator=by, clerk=clerk, kind=kind, defaults={"occurrence": case, "marked_at": timezone.now()}
        )
        label = AttentionKind(kind).label
        audit.record("attention.marked", actor=by, target=clerk, data={"reason": label})


def forget_without_units(clerk: User) -> None:
    """The clerk was given a billing unit: a later stretch without one is a new case."""
    AttentionMark.objects.filter(clerk=clerk, kind=AttentionKind.WITHOUT_UNITS).delete()
