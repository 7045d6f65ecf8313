"""The audit log: one function writes entries, one mapping turns action codes into German sentences."""

from accounts.models import AuditEntry

SYSTEM = "System"

# action code -> German sentence (what the Änderungsprotokoll and the Django admin show).
ACTIONS = {
    "clerk.created": "Sachbearbeiter angelegt",
    "user.personal_data_changed": "Persönliche Daten geändert",
    "clerk.grants_changed": "Berechtigungen für Abrechnungsstellen geändert",
    "user.otp_reset": "Neues Einmalpasswort gesetzt",
    "clerk.locked": "Berechtigung entzogen",
    "clerk.cascade_locked": "Gesperrt, weil der letzte Administrator des Mitglieds gesperrt wurde",
    "clerk.unlocked": "Berechtigung erteilt",
    "clerk.cascade_lifted": "Sperre aufgehoben, weil ein neuer Administrator freigegeben wurde",
    "administrator.locked": "Administrator die Berechtigung entzogen",
    "administrator.created": "Administrator nach Freigabe angelegt",
    "login.succeeded": "Anmeldung erfolgreich",
    "login.failed": "Anmeldung fehlgeschlagen",
    "login.otp_used": "Anmeldung mit Einmalpasswort",
    "login.throttled": "Anmeldung wegen zu vieler Versuche abgewiesen",
    "user.logged_out": "Abgemeldet",
    "user.deactivated": "Nach zu vielen Falscheingaben des Passworts deaktiviert",
    "user.password_set": "Persönliches Passwort gesetzt",
    "user.password_changed": "Passwort geändert",
    "user.sessions_ended": "Alle Sitzungen beendet",
    "user.otp_expired": "Abgelaufenes Einmalpasswort gelöscht",
    "password.forgot_requested": "„Passwort vergessen“ angefordert",
    "password.forgot_throttled": "„Passwort vergessen“ wegen zu vieler Anfragen abgewiesen",
    "application.throttled": "Registrierung wegen zu vieler Anfragen abgewiesen",
    "password.change_throttled": "„Passwort ändern“ wegen zu vieler Versuche abgewiesen",
    "password.forgot_cancelled": "„Passwort vergessen“ durch Anmeldung mit dem persönlichen Passwort aufgehoben",
    "application.submitted": "Registrierung als Administrator beantragt",
    "application.approved": "Registrierung als Administrator freigegeben",
    "application.rejected": "Registrierung als Administrator abgelehnt",
}

ACTION_CHOICES = sorted(ACTIONS.items(), key=lambda item: item[1])


def describe(entry: AuditEntry) -> str:
    sentence = ACTIONS.get(entry.action, entry.action)
    reason = (entry.data or {}).get("reason")
    return f"{sentence}: {reason}" if reason else sentence


def record(
    action: str, *, actor=None, target=None, member=None, member_id=None, data=None, actor_label=None
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the change it records."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    label = actor_label or (actor.email if actor is not None else SYSTEM)
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=label,
        target=target,
        member_id=member.pk if member is not None else member_id,
        data=data or {},
    )
