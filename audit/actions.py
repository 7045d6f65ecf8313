"""The audit log's vocabulary: `Action` names every action code with the German sentence the Änderungsprotokoll and
the Django admin show; `describe` and `details` turn an entry into what a person reads. Entries are written through
`audit.log.record`."""

from django.db import models


class Action(models.TextChoices):
    FEEDBACK_THROTTLED = "feedback.throttled", "„Barriere melden“ wegen zu vieler Meldungen abgewiesen"
    FEEDBACK_SENT = "feedback.sent", "Barriere gemeldet"
    USER_INACTIVITY_WARNED = "user.inactivity_warned", "Vor der Sperre wegen Inaktivität gewarnt"
    ADMINISTRATOR_INACTIVE_REPORTED = (
        "administrator.inactive_reported",
        "Inaktiver letzter Administrator der Zusatzversorgungskasse gemeldet",
    )
    USER_NOTICES_CHANGED = "user.notices_changed", "Einstellung der Hinweise per E-Mail geändert"
    PROTOCOL_EXPORTED = "protocol.exported", "Änderungsprotokoll exportiert"
    OVERVIEW_EXPORTED = "overview.exported", "Berechtigungsübersicht exportiert"
    REVIEW_STARTED = "review.started", "Überprüfung der Berechtigungen begonnen"
    REVIEW_REMINDED = "review.reminded", "An die Überprüfung der Berechtigungen erinnert"
    REVIEW_COMPLETED = "review.completed", "Überprüfung der Berechtigungen abgeschlossen"
    USER_ACCESS_CONFIRMED = "user.access_confirmed", "Berechtigung bei der Überprüfung bestätigt"
    USER_OTP_VIEWED = "user.otp_viewed", "Einmalpasswort angezeigt"
    ATTENTION_MARKED = "attention.marked", "Handlungsbedarf als erledigt markiert"
    USER_OTP_SLIP_PRINTED = "user.otp_slip_printed", "Übergabeblatt mit Einmalpasswort gedruckt"
    USER_PSEUDONYMISED = "user.pseudonymised", "Nach Ablauf der Aufbewahrungsfrist pseudonymisiert"
    CLERK_CREATED = "clerk.created", "Sachbearbeiter angelegt"
    USER_PERSONAL_DATA_CHANGED = "user.personal_data_changed", "Persönliche Daten geändert"
    CLERK_GRANTS_CHANGED = "clerk.grants_changed", "Abrechnungsstellen zugeordnet oder entfernt (+/- Zuordnen)"
    USER_OTP_RESET = "user.otp_reset", "Neues Einmalpasswort gesetzt"
    CLERK_LOCKED = "clerk.locked", "Gesperrt (Berechtigung entzogen)"
    CLERK_CASCADE_LOCKED = (
        "clerk.cascade_locked",
        "Gesperrt, weil der letzte Administrator des Mitglieds gesperrt wurde",
    )
    CLERK_UNLOCKED = "clerk.unlocked", "Sperre aufgehoben (Berechtigung erteilt)"
    CLERK_CASCADE_LIFTED = "clerk.cascade_lifted", "Sperre aufgehoben, weil ein neuer Administrator freigegeben wurde"
    ADMINISTRATOR_LOCKED = "administrator.locked", "Administrator gesperrt (Berechtigung entzogen)"
    ADMINISTRATOR_CREATED = "administrator.created", "Administrator nach Freigabe angelegt"
    LOGIN_SUCCEEDED = "login.succeeded", "Anmeldung erfolgreich"
    LOGIN_FAILED = "login.failed", "Anmeldung fehlgeschlagen"
    LOGIN_OTP_USED = "login.otp_used", "Anmeldung mit Einmalpasswort"
    LOGIN_THROTTLED = "login.throttled", "Anmeldung wegen zu vieler Versuche abgewiesen"
    USER_LOGGED_OUT = "user.logged_out", "Abgemeldet"
    USER_DEACTIVATED = "user.deactivated", "Nach zu vielen Falscheingaben des Passworts deaktiviert"
    USER_PASSWORD_SET = "user.password_set", "Persönliches Passwort gesetzt"
    USER_PASSWORD_CHANGED = "user.password_changed", "Passwort geändert"
    USER_SESSIONS_ENDED = "user.sessions_ended", "Alle Sitzungen beendet"
    USER_OTP_EXPIRED = "user.otp_expired", "Abgelaufenes Einmalpasswort gelöscht"
    PASSWORD_FORGOT_REQUESTED = "password.forgot_requested", "„Passwort vergessen“ angefordert"
    PASSWORD_FORGOT_THROTTLED = "password.forgot_throttled", "„Passwort vergessen“ wegen zu vieler Anfragen abgewiesen"
    APPLICATION_THROTTLED = "application.throttled", "Registrierung wegen zu vieler Anfragen abgewiesen"
    PASSWORD_CHANGE_THROTTLED = "password.change_throttled", "„Passwort ändern“ wegen zu vieler Versuche abgewiesen"
    PASSWORD_FORGOT_CANCELLED = (
        "password.forgot_cancelled",
        "„Passwort vergessen“ durch Anmeldung mit dem persönlichen Passwort aufgehoben",
    )
    FACTOR_ADDED = "factor.added", "Zweiter Faktor eingerichtet"
    FACTOR_REMOVED = "factor.removed", "Zweiter Faktor entfernt"
    FACTOR_RENAMED = "factor.renamed", "Passkey umbenannt"
    FACTOR_USED = "factor.used", "Anmeldung mit dem zweiten Faktor bestätigt"
    FACTOR_FAILED = "factor.failed", "Bestätigung mit dem zweiten Faktor fehlgeschlagen"
    FACTOR_EMAIL_CODE_THROTTLED = (
        "factor.email_code_throttled",
        "Code per E-Mail wegen zu vieler Codes in kurzer Zeit nicht gesendet",
    )
    FACTOR_RESET = "factor.reset", "Zweiter Faktor zurückgesetzt"
    FACTOR_RECOVERY_CODES_RENEWED = "factor.recovery_codes_renewed", "Neue Wiederherstellungscodes erzeugt"
    FACTOR_RECOVERY_CODE_USED = "factor.recovery_code_used", "Anmeldung mit einem Wiederherstellungscode bestätigt"
    FACTOR_EMAIL_CODE_SENT = "factor.email_code_sent", "Code für die Anmeldung per E-Mail gesendet"
    INSURED_CREATED = "insured.created", "Versicherter angelegt (Zusatzversorgungskasse)"
    INSURED_CHANGED = "insured.changed", "Versicherter geändert (Zusatzversorgungskasse)"
    EMPLOYMENT_CREATED = "employment.created", "Beschäftigung angelegt (Zusatzversorgungskasse)"
    EMPLOYMENT_CHANGED = "employment.changed", "Beschäftigung geändert (Zusatzversorgungskasse)"
    REPORT_CREATED = "report.created", "Meldung erfasst"
    REPORT_CHANGED = "report.changed", "Meldung geändert"
    REPORT_DELETED = "report.deleted", "Meldung gelöscht"
    REPORT_SUBMITTED = "report.submitted", "Meldung übermittelt"
    REPORT_PROCESSED = "report.processed", "Meldung verarbeitet"
    REPORT_REJECTED = "report.rejected", "Meldung zurückgewiesen"
    REPORTS_DELETED_BY_RETENTION = "report.expired", "Meldungen nach Ablauf der Aufbewahrungsfrist gelöscht"
    ACCESS_LOG_EXPORTED = "access_log.exported", "Zugriffsprotokoll exportiert"
    ACCESS_LOG_EXPIRED = "access_log.expired", "Zugriffsprotokoll nach Ablauf der Aufbewahrungsfrist gelöscht"
    APPLICATION_SUBMITTED = "application.submitted", "Registrierung als Administrator beantragt"
    APPLICATION_APPROVED = "application.approved", "Registrierung als Administrator freigegeben"
    APPLICATION_REJECTED = "application.rejected", "Registrierung als Administrator abgelehnt"
    OUTBOX_PAUSED = "outbox.paused", "Versand der E-Mails angehalten"
    OUTBOX_RESUMED = "outbox.resumed", "Versand der E-Mails freigegeben"
    OUTBOX_RECONCILED = "outbox.reconciled", "Wartende E-Mails als bereits versandt abgeglichen"
    MEMBERS_IMPORTED = "members.imported", "Mitglieder und Abrechnungsstellen importiert"


# Entries of a read, a login, a message or a setting of one's own: they change nothing of what an administrator's list
# of a member shows, so they leave the member's change counter (audit.models.MemberChange) alone, and a busy morning of
# logins does not make "Verwaltung der Benutzer" compute its panels anew.
QUIET = {
    "login.succeeded",
    "login.failed",
    "login.throttled",
    "factor.used",
    "factor.failed",
    "factor.email_code_sent",
    "factor.email_code_throttled",
    "factor.renamed",
    "factor.recovery_codes_renewed",
    "user.logged_out",
    "user.otp_viewed",
    "user.otp_slip_printed",
    "user.notices_changed",
    "overview.exported",
    "protocol.exported",
    "feedback.sent",
    "feedback.throttled",
    "password.forgot_throttled",
    "password.change_throttled",
    "application.throttled",
}

ACTION_CHOICES = sorted(Action.choices, key=lambda item: item[1])
# Action code -> sentence, built once: `Action.values` and `Action(code)` build their lists anew on every call, and a
# Detailansicht describes twenty entries.
SENTENCES = dict(Action.choices)


def describe(entry) -> str:
    sentence = SENTENCES.get(entry.action, entry.action)
    reason = (entry.data or {}).get("reason")
    return f"{sentence}: {reason}" if reason else sentence


FIELD_LABELS = {
    "first_name": "Vorname",
    "last_name": "Nachname",
    "phone": "Telefonnummer",
    "email": "E-Mail",
    "notices": "Hinweise per E-Mail",
    "name": "Bezeichnung",
    # a Versicherter and its employments (insured/admin.py)
    "insurance_number": "Versicherungsnummer",
    "birth_date": "Geburtsdatum",
    "billing_unit": "Abrechnungsstelle",
    # a Meldung (insured/services.py)
    "status": "Status",
    "year": "Jahr",
    "start": "Beginn",
    "end": "Ende",
    "personnel_number": "Personalnummer",
    "deregistration_reason": "Abmeldegrund",
    "sections": "Abschnitte",
    "verlauf": "Versicherungsverlauf",
    "employment_start": "Beschäftigungsbeginn",
    "employment_end": "Beschäftigungsende",
    "employment_personnel_number": "Personalnummer der Beschäftigung",
}


def details(entry) -> str:
    """The values of a change as a person reads them: old → new for personal data, the units added and removed,
    the units of a registration or a clerk's creation."""
    data = entry.data or {}
    parts = []
    if data.get("report"):
        parts.append(
            f"{data.get('kind', 'Meldung')} Nr. {data['report']}, Versicherungsnummer {data.get('person', '–')}, "
            f"Abrechnungsstelle {data.get('unit', '–')}"
        )
    elif data.get("person"):  # a Versicherter or its employment, changed by fund staff
        unit = f", Abrechnungsstelle {data['unit']}" if data.get("unit") else ""
        parts.append(f"Versicherungsnummer {data['person']}{unit}")
    for field, (old, new) in (data.get("changes") or {}).items():
        parts.append(f"{FIELD_LABELS.get(field, field)}: {old or '–'} → {new or '–'}")
    # Units are shown only for an entry of one member: an entry spanning members (a clerk created with units of
    # two, grants changed in two) is read by the administrators of both, and neither may learn the other's units.
    if entry.member_id and data.get("added"):
        parts.append("hinzugefügt: " + ", ".join(data["added"]))
    if entry.member_id and data.get("removed"):
        parts.append("entfernt: " + ", ".join(data["removed"]))
    if data.get("personal_address"):
        parts.append("E-Mail-Adresse als persönliche Adresse bestätigt")
    units = data.get("units")
    if units and entry.member_id and entry.action in ("clerk.created", "application.approved", "administrator.locked"):
        parts.append("Abrechnungsstellen: " + (units if isinstance(units, str) else ", ".join(units)))
    return "; ".join(parts)
