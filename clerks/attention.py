"""Handlungsbedarf: what waits for the administrator at the top of "Verwaltung der Benutzer" — one-time passwords
to hand over (and why one was set), one-time passwords that expire within EXPIRY_WARNING_DAYS or have expired,
clerks without any billing unit, clerks for whom untrusted browsers are being refused, and dormant accounts.

Two queries at most however many clerks the member has: the clerks concerned in one, the refusal windows in a
second only while any window refuses at all.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Status, User
from clerks.models import Grant
from security import devices
from security.models import ThrottleWindow
from security.throttling import ACCOUNT_SCOPE

EXPIRY_WARNING_DAYS = 3
SHOWN_PER_GROUP = 20  # the filter "Handlungsbedarf" lists them all
READ_AT_MOST = 200  # clerks read for the panel: a member with hundreds of dormant clerks costs no more than this
# What an entry needs of a clerk (a member may have hundreds in "Handlungsbedarf": load no more than this).
FIELDS = ["first_name", "last_name", "email", "role", "status", "password", "otp_created_at", "otp_expires_at"]
FIELDS += ["last_login", "date_joined"]


@dataclass(frozen=True)
class Entry:
    person: User
    why: str
    step: str  # the next step's label
    url_name: str  # its URL (with the person's pk)


@dataclass
class Group:
    title: str
    entries: list
    capped: bool = False  # more clerks need attention than were read (READ_AT_MOST): the count is a minimum

    @property
    def shown(self):
        return self.entries[:SHOWN_PER_GROUP]


def _why_pending(clerk) -> str:
    if clerk.status == Status.DEACTIVATED:
        return "nach Falscheingaben deaktiviert"
    if clerk.password_reset_pending:
        return f"„Passwort vergessen“ am {timezone.localtime(clerk.otp_created_at):%d.%m.%Y}"
    if clerk.last_login is None:
        return "neu angelegt"
    return "wieder freigeschaltet oder neues Einmalpasswort gesetzt"


def groups(*, by, now=None) -> list[Group]:
    now = now or timezone.now()
    soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    dormant_since = now - timedelta(days=settings.INACTIVITY_DAYS)
    waiting = Q(status__in=[Status.PENDING, Status.DEACTIVATED], otp_expires_at__isnull=False)
    dormant = Q(last_login__lt=dormant_since) | Q(last_login__isnull=True, date_joined__lt=dormant_since)
    concerned = (
        User.objects.visible_to(by)
        .clerks()
        .exclude(status=Status.LOCKED)
        .annotate(has_units=Exists(Grant.objects.filter(clerk=OuterRef("pk"))))
        .filter(waiting | Q(has_units=False) | dormant)
        .only(*FIELDS)
        .order_by("last_name", "first_name", "pk")
    )
    clerks = list(concerned[: READ_AT_MOST + 1])
    capped = len(clerks) > READ_AT_MOST
    clerks = clerks[:READ_AT_MOST]
    handover, expiring, without_units, inactive = [], [], [], []
    for clerk in clerks:
        if clerk.otp_expires_at is not None and clerk.status in (Status.PENDING, Status.DEACTIVATED):
            if clerk.otp_expires_at <= now:
                expiring.append(Entry(clerk, "Einmalpasswort abgelaufen", "Einmalpasswort setzen", "clerks:reset_otp"))
            else:
                handover.append(Entry(clerk, _why_pending(clerk), "Einmalpasswort anzeigen", "clerks:detail"))
                if clerk.otp_expires_at <= soon:
                    expiring.append(
                        Entry(
                            clerk,
                            f"Einmalpasswort läuft am {timezone.localtime(clerk.otp_expires_at):%d.%m.%Y %H:%M} ab",
                            "Einmalpasswort anzeigen",
                            "clerks:detail",
                        )
                    )
        if not clerk.has_units:
            without_units.append(Entry(clerk, "keine Abrechnungsstelle", "+/- Zuordnen", "clerks:assign"))
        last = clerk.last_login or clerk.date_joined
        if last < dormant_since:
            inactive.append(
                Entry(
                    clerk,
                    f"seit {timezone.localtime(last):%d.%m.%Y} nicht angemeldet",
                    "Detailansicht",
                    "clerks:detail",
                )
            )
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
    clerks = User.objects.visible_to(by).clerks().exclude(status=Status.LOCKED).order_by("last_name", "first_name")
    return [
        Entry(clerk, "mehrere Fehlversuche von unbekannten Geräten", "Detailansicht", "clerks:detail")
        for clerk in clerks
        if devices.account_key(clerk.role, clerk.email) in refusing
    ]


def person_ids(*, by, now=None) -> set[int]:
    """Everyone in "Handlungsbedarf" (the list's status filter of that name; read as far as the panel reads)."""
    return {entry.person.pk for group in groups(by=by, now=now) for entry in group.entries}
