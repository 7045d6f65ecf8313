"""Protokolleinträge: who did what to whom, when. Append-only: the model and its queryset refuse changes, and on
PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE (migrations accounts/0002 and accounts/0008 create them on the
table `accounts_auditentry`), except the pseudonymisation of a departed user's display data (migration audit/0002)."""

import json

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from audit.actions import ACTION_CHOICES, describe, details
from base.append_only import AppendOnly, AppendOnlyQuerySet
from base.db import aware, quoted


def action_choices():
    """The choices of `AuditEntry.action`, read when needed: a new action code needs no migration."""
    return ACTION_CHOICES


class AuditEntryQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user):
        """The entries an administrator may read: those of its members, and those of no member about users it
        sees (logins, passwords). Everyone else reads none here; fund staff read all in the Django admin. A page
        that has just loaded a user through `visible_to` reads that user's entries with `history_visible_to`."""
        if not getattr(user, "is_administrator", False):
            return self.none()
        users = apps.get_model(settings.AUTH_USER_MODEL).objects.visible_to(user)
        mine = models.Q(member_id__in=user.member_ids)
        return self.filter(mine | models.Q(member__isnull=True, target__in=users.values("pk")))

    def history_visible_to(
        self, user, person, *, limit: int | None = None, action: str | None = None
    ) -> list["HistoryRow"]:
        """The entries about `person` on an administrator's page of that person (the Detailansicht's
        Änderungsprotokoll, a co-administrator's page), newest first, as plain rows: those of the administrator's
        members and those of no member. The page has loaded `person` through `visible_to(user)` in this request, so
        whether the administrator sees it is not asked again; `visible_to(user)` reads the same entries about it
        (tests/accounts/test_audit.py). `action`: only entries of that code.

        Plain SQL: every Detailansicht reads it, and Django took longer to build the statement than the database to
        answer it (docs/performance.md)."""
        if not getattr(user, "is_administrator", False):
            return []
        table, at, label, code, data, member, target, pk = quoted(
            self.model, "created_at", "actor_label", "action", "data", "member", "target", "id"
        )
        members = list(user.member_ids)
        mine = f"{member} IN ({', '.join(['%s'] * len(members))}) OR " if members else ""
        sql = (
            f"SELECT {at}, {label}, {code}, {data}, {member} FROM {table}"
            f" WHERE {target} = %s AND ({mine}{member} IS NULL)"
        )
        params = [person.pk, *members]
        if action is not None:
            sql += f" AND {code} = %s"
            params.append(action)
        sql += f" ORDER BY {at} DESC, {pk} DESC"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            HistoryRow(aware(created), actor, action_code, json.loads(values) if isinstance(values, str) else values, m)
            for created, actor, action_code, values, m in rows
        ]

    def pseudonymise(self, entry, *, actor_label: str, data: dict) -> None:
        """Replace a departed user's display data in one entry — the one change the audit log allows (DSGVO Art. 17;
        retention/services.py). On PostgreSQL only through the database function `audit_pseudonymise`, which the
        append-only trigger lets through for exactly these two columns."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT audit_pseudonymise(%s, %s, %s::jsonb)", [entry.pk, actor_label, json.dumps(data)]
                )
        else:
            models.QuerySet.update(self.filter(pk=entry.pk), actor_label=actor_label, data=data)


class AuditEntry(AppendOnly):
    """Protokolleintrag: who did what to whom, when (manual §1: responsibility for every change)."""

    REFUSED_CHANGE = "Protokolleinträge können nicht geändert werden."
    REFUSED_DELETION = "Protokolleinträge können nicht gelöscht werden."

    created_at = models.DateTimeField("Zeitpunkt", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="durch",
    )
    actor_label = models.CharField("durch (Anzeige)", max_length=254)
    action = models.CharField("Aktion", max_length=64, choices=action_choices)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name="Benutzer",
    )
    member = models.ForeignKey(
        "billing_units.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name="Mitglied",
    )
    data = models.JSONField("Details", default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        db_table = "accounts_auditentry"
        verbose_name = "Protokolleintrag"
        verbose_name_plural = "Protokolleinträge"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target", "-created_at"], name="audit_target_time_idx"),
            models.Index(fields=["member", "-created_at"], name="audit_member_time_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.actor_label}: {self.description}"

    @property
    def actor_name(self) -> str:
        """ "Nachname, Vorname" of the person who acted, beside `actor_label` (its address then); empty for the portal
        itself and for a person without a name."""
        actor = self.actor
        return f"{actor.last_name}, {actor.first_name}" if actor is not None and actor.last_name else ""

    @property
    def description(self) -> str:
        return describe(self)

    @property
    def details(self) -> str:
        return details(self)


class HistoryRow:
    """One line of an Änderungsprotokoll (`AuditEntryQuerySet.history_visible_to`): an entry's shown values, read
    without a model instance, with the entry's description and details as `AuditEntry` gives them."""

    __slots__ = ("created_at", "actor_label", "action", "data", "member_id")

    def __init__(self, created_at, actor_label: str, action: str, data: dict, member_id: int | None):
        self.created_at = created_at
        self.actor_label = actor_label
        self.action = action
        self.data = data
        self.member_id = member_id

    description = property(describe)
    details = property(details)


class MemberChange(models.Model):
    """The newest audit entry that changed something of a member's user administration (who may log in, with what,
    on which billing units; its reviews and registrations). Written with every such entry (`audit.log.record`),
    in its transaction: a page that shows what changes seldom (the panels of "Verwaltung der Benutzer") keeps what it
    computed while its members' rows here stay the same."""

    member = models.OneToOneField(
        "billing_units.Member", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name="Mitglied"
    )
    entry_id = models.BigIntegerField("letzter Protokolleintrag")

    class Meta:
        verbose_name = "letzte Änderung eines Mitglieds"
        verbose_name_plural = "letzte Änderungen der Mitglieder"

    def __str__(self):
        return f"{self.member_id}: {self.entry_id}"

    @classmethod
    def stamps(cls, member_ids) -> tuple:
        """(member id, newest entry id) of those of `member_ids` that have changed, in member order. Plain SQL: the
        list reads it on every page, and the ORM took longer to build the statement than the database to answer."""
        if not member_ids:
            return ()
        table, member, entry = quoted(cls, "member", "entry_id")
        marks = ", ".join(["%s"] * len(member_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {member}, {entry} FROM {table} WHERE {member} IN ({marks}) ORDER BY 1", list(member_ids)
            )
            return tuple(cursor.fetchall())
