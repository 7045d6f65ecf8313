"""Notifications to a member's administrators (through the outbox): a clerk used "Passwort vergessen", was deactivated
by wrong passwords, or its one-time password is about to expire unused. Each administrator allowed to hand over the
clerk's credentials is told (DESIGN §8, `authority.credential_holders`), never a password in it, a
link to the clerk's Detailansicht — at once, or in the day's digest, or not at all, as each administrator chose under
"Einstellungen".

The cases come from the audit log and the one-time passwords: `send_due` runs every minute beside the outbox
worker (OUTBOX_WORKER_TASKS) and `manage.py send_notice_digest` once a day (cron). Each case is recorded once per
administrator (`Notice`), so running either twice sends nothing twice.

A storm stays a trickle: an administrator is told only of cases that arose after it became one (twenty new
administrators are not each told of the last two days); all its new cases of one run go into one mail; a case about
the same clerk and the same thing it was told of within MERGE_WINDOW is counted as told; and a mail at once is
written only while the outbox's per-recipient rate allows it (outbox.mail.within_rate) — otherwise the notices
wait for the day's digest. A restored copy does not notice cases from before its restore again
(outbox.sending.notices_from).
"""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import NoticePreference, Role, Status, User, otp_expired_q
from audit.models import AuditEntry
from clerks import authority, emails
from clerks.models import Notice, NoticeKind
from outbox import sending
from outbox.mail import within_rate

LOOK_BACK = timedelta(days=2)  # audit entries older than this are not turned into notices any more
EXPIRY_NOTICE_DAYS = 3
MERGE_WINDOW = timedelta(minutes=15)
FROM_AUDIT = {"password.forgot_requested": NoticeKind.FORGOT_PASSWORD, "user.deactivated": NoticeKind.DEACTIVATED}


def _cases(now):
    """(clerk, kind, case key, when the case arose)."""
    entries = (
        AuditEntry.objects.filter(action__in=FROM_AUDIT, created_at__gte=now - LOOK_BACK, target__role=Role.CLERK)
        .select_related("target")
        .order_by("pk")
    )
    for entry in entries:
        yield entry.target, FROM_AUDIT[entry.action], f"audit:{entry.pk}", entry.created_at
    expiring = (
        User.objects.clerks()
        .filter(otp_expired_q(now + timedelta(days=EXPIRY_NOTICE_DAYS)), status=Status.PENDING, last_login__isnull=True)
        .exclude(otp_expired_q(now))
    )
    for clerk in expiring.order_by("pk"):
        arose = clerk.otp_expires_at - timedelta(days=EXPIRY_NOTICE_DAYS)
        yield clerk, NoticeKind.OTP_EXPIRING, f"otp:{clerk.otp_created_at.isoformat()}", arose


def _told_recently(administrator, clerk, kind, now) -> bool:
    return Notice.objects.filter(
        administrator=administrator, clerk=clerk, kind=kind, created_at__gte=now - MERGE_WINDOW
    ).exists()


def send_due(*, now=None) -> int:
    """Record every new case for its administrators and mail those who want it at once; returns the notices made."""
    now = now or timezone.now()
    floor = sending.notices_from()
    at_once = defaultdict(list)
    made = 0
    for clerk, kind, case, arose in _cases(now):
        if floor is not None and arose < floor:
            continue
        for administrator in authority.credential_holders(clerk):
            if administrator.notices == NoticePreference.OFF or arose < administrator.date_joined:
                continue
            merged = _told_recently(administrator, clerk, kind, now)
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(
                        administrator=administrator, clerk=clerk, kind=kind, case=case, sent_at=now if merged else None
                    )
            except IntegrityError:
                continue  # this case was recorded for this administrator already
            made += 1
            if administrator.notices == NoticePreference.IMMEDIATELY and not merged:
                at_once[administrator].append(notice)
    for administrator, notices in at_once.items():
        _tell_at_once(administrator, notices, now)
    return made


def _tell_at_once(administrator, notices, now) -> None:
    """One mail with the run's new cases, unless the address had its share of mails this hour: then they wait for
    the digest (they stay unsent)."""
    with transaction.atomic():
        if not within_rate(administrator.email, now):
            return
        emails.clerk_notices(administrator, notices)
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=now)


def send_digest(*, now=None) -> int:
    """The day's digest: one mail per administrator with its unsent notices, each clerk's case of one kind once;
    returns the mails written.

    Who may hand over a clerk's credentials is asked again now: a notice whose administrator no longer may (its
    registration ended, the clerk works beyond it now) is dropped, so no mail names a clerk to an administrator
    that is no longer its own."""
    now = now or timezone.now()
    waiting = Notice.objects.filter(sent_at__isnull=True).select_related("administrator", "clerk").order_by("pk")
    by_administrator, dropped = {}, []
    for notice in waiting:
        if authority.may_handle_credentials(by=notice.administrator, target=notice.clerk):
            by_administrator.setdefault(notice.administrator, []).append(notice)
        else:
            dropped.append(notice.pk)
    Notice.objects.filter(pk__in=dropped).delete()
    for administrator, notices in by_administrator.items():
        shown = {}
        for notice in notices:
            shown.setdefault((notice.clerk_id, notice.kind), notice)
        with transaction.atomic():
            emails.clerk_notices(administrator, list(shown.values()))
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=now)
    return len(by_administrator)
