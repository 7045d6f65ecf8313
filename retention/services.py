"""The deletion rules of SECURITY.md ("Aufbewahrung und Löschung"), one per data type, applied by
`manage.py apply_retention` (daily by cron). Each rule has a period and the event it starts from:

- a user who is Gesperrt and about whom nothing was recorded for RETENTION_LOCKED_USER_YEARS: every name, e-mail
  and phone it had becomes a pseudonym ("Gelöschter Benutzer #1234") in the user and wherever the audit log, the
  member locks, the "Passwort vergessen" requests and the registrations show them, and the client addresses in its
  audit entries become blank. The audit trail itself (who did what, when, in which member) stays;
- "Passwort vergessen" requests: deleted RETENTION_REQUEST_DAYS after they were made;
- registrations that were rejected: deleted RETENTION_REQUEST_DAYS after the decision;
- sent mails in the outbox: deleted after OUTBOX_RETENTION_DAYS (outbox/retention.py); the mails to or about a
  pseudonymised user that are still there carry the pseudonym;
- sessions: deleted once expired (SESSION_COOKIE_AGE after their last change);
- the access log of reads of insured persons' data: deleted once RETENTION_ACCESS_LOG_YEARS full calendar years have
  passed after the year of the read (through the database's one door, `insured.access_log.forget_before`);
- Meldungen: processed ones RETENTION_PROCESSED_REPORT_YEARS after processing (their Abschnitte stay in the
  Versicherungsverlauf), those left erfasst or zurückgewiesen RETENTION_STALE_REPORT_YEARS after their last change;
  a Meldung that a Berichtigung still names waits for it. Who wrote and sent a Meldung, and who read a person's data,
  are users: pseudonymising a departed clerk pseudonymises its name there too;
- the counters of the limits: deleted when their window ends (security/throttling.py).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts import otp
from accounts.models import Membership, PasswordRequest, Role, User
from audit import log as audit
from audit.models import AuditEntry
from clerks.models import MemberLock
from insured import access_log
from insured.models import Report, ReportStatus
from outbox import retention as outbox_retention
from outbox.models import OutboxMessage
from registration.models import AdministratorApplication, ApplicationStatus
from retention.models import RetentionRun
from security import throttling

PSEUDONYM_DOMAIN = "geloescht.invalid"
PERSONAL_FIELDS = ("first_name", "last_name", "phone", "email")


def pseudonym_email(user) -> str:
    return f"benutzer-{user.pk}@{PSEUDONYM_DOMAIN}"


def departed_users(*, now):
    """Gesperrt users (administrators and clerks) about whom nothing was recorded for the retention period, not yet
    pseudonymised."""
    cutoff = now - timedelta(days=365 * settings.RETENTION_LOCKED_USER_YEARS)
    return (
        User.objects.locked()
        .filter(role__in=[Role.ADMINISTRATOR, Role.CLERK])
        .exclude(email__endswith="@" + PSEUDONYM_DOMAIN)
        .annotate(last_recorded=Max("audit_entries__created_at"))
        .filter(Q(last_recorded__lt=cutoff) | Q(last_recorded__isnull=True, date_joined__lt=cutoff))
        .order_by("pk")
    )


def _replace(value, replacements: dict):
    """The value with every personal string replaced by its pseudonym, in nested dicts and lists alike."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, replacements) for key, item in value.items()}
    return value


def _history(user) -> dict[str, set[str]]:
    """Every value the user's name, e-mail and phone have had: each change kept its old and new value in the audit
    log ("Persönliche Daten geändert")."""
    had = {field: {getattr(user, field)} for field in PERSONAL_FIELDS}
    for entry in AuditEntry.objects.filter(target=user, action="user.personal_data_changed"):
        for field, values in (entry.data.get("changes") or {}).items():
            if field in had:
                had[field].update(value for value in values if value)
    return {field: {value for value in values if value} for field, values in had.items()}


def _longest_first(replacements: dict) -> dict:
    return dict(sorted(replacements.items(), key=lambda item: -len(item[0])))


def _personal_strings(user) -> dict:
    """What identified the user, with its replacement: every e-mail, name and phone it had, the name as mails and
    pages write it ("Vorname Nachname", "Nachname, Vorname")."""
    had = _history(user)
    pseudonym = f"Gelöschter Benutzer #{user.pk}"
    replacements = {email: pseudonym_email(user) for email in had["email"]}
    for last in had["last_name"]:
        for first in had["first_name"] or {""}:
            replacements[f"{first} {last}".strip()] = pseudonym
            replacements[f"{last}, {first}".rstrip(", ")] = pseudonym
    for phone in had["phone"]:
        replacements[phone] = ""
    return _longest_first(replacements)


def _greetings(user) -> dict:
    """The surname alone, as a mail to the user greets it ("Sehr geehrte Frau Keller"): replaced only in mails to
    the user, since another person of that surname is greeted the same way."""
    pseudonym = f"Gelöschter Benutzer #{user.pk}"
    return {f"{title} {last}": pseudonym for last in _history(user)["last_name"] for title in ("Frau", "Herr")}


def _pseudonymised_data(entry, user, replacements: dict):
    """An entry's data without the user: its personal strings replaced, the values of its own changes of name and
    phone (each alone, so no string search finds them) and the client address of a request by or about it blank."""
    data = _replace(entry.data, replacements)
    if not isinstance(data, dict):
        return data
    if entry.target_id == user.pk and entry.action == "user.personal_data_changed":
        pseudonyms = {"first_name": "Gelöschter", "last_name": f"Benutzer #{user.pk}", "phone": ""}
        changes = data.get("changes") or {}
        data["changes"] = {
            field: [pseudonyms[field]] * len(values) if field in pseudonyms else values
            for field, values in changes.items()
        }
    if data.get("ip"):
        data["ip"] = ""
    return data


def _pseudonymise_mails(replacements: dict, greetings: dict) -> None:
    """The mails still in the outbox (waiting, failed, or sent within OUTBOX_RETENTION_DAYS) to the user or about it
    (a notice to its administrator): address, subject and text with the pseudonym."""
    mentions = Q()
    for old in replacements:
        mentions |= Q(to=old) | Q(subject__contains=old) | Q(body__contains=old)
    for message in OutboxMessage.objects.filter(mentions).order_by("pk"):
        own = _longest_first({**replacements, **greetings}) if message.to in replacements else replacements
        to, subject, body = (_replace(value, own) for value in (message.to, message.subject, message.body))
        OutboxMessage.objects.filter(pk=message.pk).update(to=to, subject=subject, body=body)


def pseudonymise(user) -> int:
    """Replace the user's personal data by a pseudonym everywhere it is shown; returns the audit entries touched.
    Runs in the caller's transaction, under the user's row lock."""
    replacements = _personal_strings(user)
    old_emails = [old for old in replacements if "@" in old]
    entries = AuditEntry.objects.filter(Q(actor=user) | Q(target=user) | Q(actor_label__in=old_emails)).order_by("pk")
    touched = 0
    for entry in entries:
        label, data = _replace(entry.actor_label, replacements), _pseudonymised_data(entry, user, replacements)
        if (label, data) != (entry.actor_label, entry.data):
            AuditEntry.objects.pseudonymise(entry, actor_label=label, data=data)
            touched += 1
    for field in ("locked_by_label", "lifted_by_label"):
        MemberLock.objects.filter(**{f"{field}__in": old_emails}).update(**{field: pseudonym_email(user)})
    PasswordRequest.objects.filter(email__in=old_emails, role=user.role).update(email=pseudonym_email(user))
    _pseudonymise_mails(replacements, _greetings(user))
    if user.role == Role.ADMINISTRATOR:
        AdministratorApplication.objects.filter(Q(administrator=user) | Q(email__in=old_emails)).update(
            first_name="Gelöschter", last_name=f"Benutzer #{user.pk}", email=pseudonym_email(user), phone=""
        )
    user.first_name, user.last_name = "Gelöschter", f"Benutzer #{user.pk}"
    user.email, user.phone = pseudonym_email(user), ""
    user.set_unusable_password()
    otp.clear(user)
    user.save(update_fields=["first_name", "last_name", "email", "phone", "password", *otp.OTP_FIELDS])
    Membership.objects.follow(user)
    audit.record("user.pseudonymised", target=user, data={"rule": "gesperrt ohne Eintrag", "entries": touched})
    return touched


def _forget_ended_sessions(now) -> int:
    """Sessions past their expiry: a session holds its user's id and what a form kept (a draft of "Sachbearbeiter
    hinzufügen", input typed after the session ended), which nobody can use once it expired."""
    expired = Session.objects.filter(expire_date__lt=now)
    count = expired.count()
    expired.delete()
    return count


def access_log_cutoff(*, now):
    """The first moment the access log keeps: 1 January of the year RETENTION_ACCESS_LOG_YEARS before this one."""
    local = timezone.localtime(now)
    first = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.replace(year=local.year - settings.RETENTION_ACCESS_LOG_YEARS)


def expired_reports(*, now):
    """Meldungen past their period that no remaining Berichtigung names."""
    processed = now - timedelta(days=365 * settings.RETENTION_PROCESSED_REPORT_YEARS)
    stale = now - timedelta(days=365 * settings.RETENTION_STALE_REPORT_YEARS)
    return Report.objects.filter(
        Q(status=ReportStatus.PROCESSED, decided_at__lt=processed)
        | Q(status__in=[ReportStatus.DRAFT, ReportStatus.REJECTED], changed_at__lt=stale)
    ).filter(corrections__isnull=True)


def apply(*, dry_run: bool = False, now=None) -> RetentionRun:
    """Apply every deletion rule once (idempotent: a second run finds nothing left). A dry run changes nothing and
    reports what a real run would do. Either way the report is kept for fund staff."""
    now = now or timezone.now()
    request_cutoff = now - timedelta(days=settings.RETENTION_REQUEST_DAYS)
    requests = PasswordRequest.objects.filter(created_at__lt=request_cutoff)
    rejected = AdministratorApplication.objects.filter(status=ApplicationStatus.REJECTED, decided_at__lt=request_cutoff)
    users = list(departed_users(now=now))
    report = {
        "users_pseudonymised": [user.pk for user in users],
        "password_requests_deleted": requests.count(),
        "rejected_applications_deleted": rejected.count(),
        "reports_deleted": expired_reports(now=now).count(),
    }
    with transaction.atomic():
        if not dry_run:
            report["audit_entries_pseudonymised"] = 0
            for user in users:
                user = User.objects.select_for_update().get(pk=user.pk)
                report["audit_entries_pseudonymised"] += pseudonymise(user)
            requests.delete()
            rejected.delete()
            report["access_log_entries_deleted"] = access_log.forget_before(access_log_cutoff(now=now))
            if report["access_log_entries_deleted"]:
                audit.record("access_log.expired", data={"entries": report["access_log_entries_deleted"]})
            if report["reports_deleted"]:
                expired = expired_reports(now=now)
                audit.record("report.expired", data={"reports": sorted(expired.values_list("pk", flat=True))})
                expired.delete()
            report["sent_mails_deleted"] = outbox_retention.forget_old_sent()
            report["throttle_rows_deleted"] = throttling.forget_old_windows()
            report["sessions_deleted"] = _forget_ended_sessions(now)
        run = RetentionRun.objects.create(started_at=now, dry_run=dry_run, report=report)
    return run
