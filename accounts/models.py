"""The portal's users, the state machine of DESIGN §4, memberships and the audit log."""

import re

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

from base import collation
from base.db import quoted


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    CLERK = "clerk", "Sachbearbeiter"
    STAFF = "staff", "ZVK-Mitarbeiter"


class Status(models.TextChoices):
    """Benutzerstatus (manual §8)."""

    PENDING = "pending", "Ausstehend"
    ACTIVE = "active", "Aktiv"
    LOCKED = "locked", "Gesperrt"
    DEACTIVATED = "deactivated", "Deaktiviert"


# Portalzugang is derived from the status and never stored (DESIGN §2).
PORTAL_ACCESS = {
    Status.PENDING: "Aktiv",
    Status.ACTIVE: "Aktiv",
    Status.LOCKED: "Inaktiv",
    Status.DEACTIVATED: "Inaktiv",
}
# The labels of Benutzerrolle and Benutzerstatus as the pages show them (User.get_role_display, get_status_display).
ROLE_LABELS, STATUS_LABELS = dict(Role.choices), dict(Status.choices)


class Salutation(models.TextChoices):
    """Anrede: how letters and mails address a person (an administrator gives it with its registration)."""

    NONE = "", "keine Angabe"
    MS = "frau", "Frau"
    MR = "herr", "Herr"


class NoticePreference(models.TextChoices):
    """How an administrator hears of its clerks' "Passwort vergessen", deactivations and expiring one-time passwords."""

    IMMEDIATELY = "immediately", "sofort"
    DAILY = "daily", "täglich als Sammelmail"
    OFF = "off", "aus"


class Event(models.TextChoices):
    """The events of DESIGN §4 that change a user's status."""

    SET_PASSWORD = "set_password", "persönliches Passwort setzen"
    TOO_MANY_FAILURES = "too_many_failures", "zu viele Falscheingaben"
    FORGOT_PASSWORD = "forgot_password", "Passwort vergessen"
    RESET_OTP = "reset_otp", "Einmalpasswort setzen"
    LOCK = "lock", "Berechtigung entziehen"
    CASCADE_LOCK = "cascade_lock", "Sperre wegen des letzten Administrators"
    UNLOCK = "unlock", "Berechtigung erteilen"
    APPROVE = "approve", "Registrierung freigegeben"
    CANCEL_RESET = "cancel_reset", "Anmeldung mit dem persönlichen Passwort nach „Passwort vergessen“"


S = Status
# event -> {from status: to status}. A status missing from an event's map refuses the event.
TRANSITIONS = {
    Event.SET_PASSWORD: {S.PENDING: S.ACTIVE, S.DEACTIVATED: S.ACTIVE},
    Event.TOO_MANY_FAILURES: {S.PENDING: S.DEACTIVATED, S.ACTIVE: S.DEACTIVATED},
    Event.FORGOT_PASSWORD: {
        S.ACTIVE: S.PENDING,
        S.PENDING: S.PENDING,
        S.DEACTIVATED: S.DEACTIVATED,
        S.LOCKED: S.LOCKED,
    },
    Event.RESET_OTP: {S.PENDING: S.PENDING, S.ACTIVE: S.PENDING, S.DEACTIVATED: S.PENDING},
    # "Gesperrt when no member is left unlocked, else unchanged": the service decides which.
    Event.LOCK: {S.PENDING: S.LOCKED, S.ACTIVE: S.LOCKED, S.DEACTIVATED: S.LOCKED},
    Event.CASCADE_LOCK: {S.PENDING: S.LOCKED, S.ACTIVE: S.LOCKED, S.DEACTIVATED: S.LOCKED, S.LOCKED: S.LOCKED},
    Event.UNLOCK: {S.LOCKED: S.PENDING},
    # Fund staff approve a (new) registration: fresh access data whatever the account's past (§7.2).
    Event.APPROVE: {S.PENDING: S.PENDING, S.ACTIVE: S.PENDING, S.LOCKED: S.PENDING, S.DEACTIVATED: S.PENDING},
    # The personal password still works after "Passwort vergessen" and cancels the request (DESIGN §8).
    Event.CANCEL_RESET: {S.PENDING: S.ACTIVE},
}
del S

REFUSALS = {
    Event.SET_PASSWORD: "Ein persönliches Passwort kann nur nach der Anmeldung mit einem Einmalpasswort gesetzt werden.",
    Event.TOO_MANY_FAILURES: "Der Benutzer ist bereits deaktiviert oder gesperrt.",
    Event.FORGOT_PASSWORD: "Für diesen Benutzer kann kein neues Einmalpasswort angefordert werden.",
    Event.RESET_OTP: "Für einen gesperrten Benutzer kann kein Einmalpasswort gesetzt werden. "
    "Erteilen Sie zuerst wieder die Berechtigung.",
    Event.LOCK: "Dem Benutzer wurde die Berechtigung bereits entzogen.",
    Event.CASCADE_LOCK: "Der Benutzer kann nicht gesperrt werden.",
    Event.UNLOCK: "Der Benutzer ist nicht gesperrt.",
    Event.APPROVE: "Die Registrierung kann nicht freigegeben werden.",
    Event.CANCEL_RESET: "Es besteht keine offene Anfrage „Passwort vergessen“.",
}


# Where a status question is asked of many rows, the database asks it in these words; the same question of one user
# is a predicate on User below. Each rule has this one home (tests/accounts/test_status_names.py greps for copies).
HOLDS_AN_OTP = (Status.PENDING, Status.DEACTIVATED)


def awaits_handover_q(prefix: str = "") -> models.Q:
    """`User.awaits_handover` as a filter; `prefix` reaches the user from a related row (e.g. "user__")."""
    return models.Q(**{f"{prefix}status__in": HOLDS_AN_OTP, f"{prefix}otp_expires_at__isnull": False})


def otp_expired_q(now, prefix: str = "") -> models.Q:
    """`User.otp_has_expired` at `now` as a filter."""
    return models.Q(**{f"{prefix}otp_expires_at__lte": now})


def awaits_handover_of(status: str, otp_expires_at) -> bool:
    """`User.awaits_handover` of a row read as plain values (a long list reads no model instances)."""
    return status in HOLDS_AN_OTP and otp_expires_at is not None


def otp_expired_of(otp_expires_at, now) -> bool:
    """`User.otp_expired_at(now)` of a row read as plain values."""
    return otp_expires_at is not None and otp_expires_at <= now


def unlocked_q(prefix: str = "") -> models.Q:
    """Not Gesperrt (`not User.is_locked`) as a filter."""
    return ~models.Q(**{f"{prefix}status": Status.LOCKED})


class DomainError(ValidationError):
    """A refused action: the message is German and meant for the person who tried it."""


class TransitionNotAllowed(DomainError):
    """An event that the user's current status does not allow (DESIGN §4)."""


class UserQuerySet(models.QuerySet):
    def administrators(self):
        return self.filter(role=Role.ADMINISTRATOR)

    def clerks(self):
        return self.filter(role=Role.CLERK)

    def unlocked(self):
        """Not Gesperrt: Portalzugang may still be Aktiv."""
        return self.filter(unlocked_q())

    def locked(self):
        return self.filter(status=Status.LOCKED)

    def administering(self, member):
        """The member's active administrators: not Gesperrt, registered for at least one of its billing units (a
        member or its id)."""
        return self.administrators().unlocked().filter(scope_units__member=member).distinct()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for user in objs:
            user.set_name_key()  # as save() does
        return super().bulk_create(objs, *args, **kwargs)

    def visible_to(self, user):
        """Clerks and administrators of the members the given administrator registered for.

        This is the one place where the portal decides whom an administrator may see (DESIGN §3);
        everyone else sees no users at all.
        """
        if not getattr(user, "is_administrator", False):
            return self.none()
        # "pk IN (the members' user ids)" rather than a correlated EXISTS: SQLite then reads only the members'
        # users through the membership index instead of testing every user of the table; the member ids as
        # values, not a subquery, so that PostgreSQL plans for the size of exactly these members.
        member_users = Membership.objects.visible_to(user).values("user_id")
        return self.filter(pk__in=member_users, role__in=[Role.ADMINISTRATOR, Role.CLERK])


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        fields.setdefault("role", Role.CLERK)
        user = self.model(email=normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.sync_is_active()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.STAFF, status=Status.ACTIVE, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        # The Django admin and createsuperuser know only fund staff by e-mail alone.
        return self.get(email=normalize_email(email), role=Role.STAFF)


def normalize_email(email: str) -> str:
    """The login name: the e-mail address without surrounding spaces, in lower case (DESIGN §3)."""
    return (email or "").strip().lower()


def _mailbox_word(text: str) -> str:
    """A local part as a word: folded, without the separators "." "-" "_" and without trailing digits."""
    return re.sub(r"[0-9]+$", "", re.sub(r"[._\-]", "", text.casefold()))


def is_generic_email(email: str) -> bool:
    """True for a role address such as info@…, poststelle@… or info+gera@… (manual §3 d): the whole local part, or
    its part before a "+", is one of GENERIC_EMAIL_LOCAL_PARTS. A person's address that merely begins with such a
    word (post.thomas@…, infanger@…) is not generic."""
    local_part = normalize_email(email).rpartition("@")[0].split("+")[0]
    generic = {_mailbox_word(word) for word in settings.GENERIC_EMAIL_LOCAL_PARTS}
    return bool(local_part) and _mailbox_word(local_part) in generic


class User(AbstractBaseUser, PermissionsMixin):
    """An administrator, a clerk or a fund staff member. The login name is the e-mail, unique per role."""

    email = models.EmailField("E-Mail")
    role = models.CharField("Benutzerrolle", max_length=20, choices=Role.choices)
    first_name = models.CharField("Vorname", max_length=150)
    last_name = models.CharField("Nachname", max_length=150)
    # Where the name stands in every list: German order (base/collation.py), set by save() from the two names.
    name_key = models.CharField(max_length=310, editable=False, db_collation=collation.NAME)
    phone = models.CharField("Telefonnummer", max_length=40, blank=True)
    salutation = models.CharField("Anrede", max_length=10, choices=Salutation.choices, blank=True, default="")
    status = models.CharField("Benutzerstatus", max_length=20, choices=Status.choices, default=Status.PENDING)
    # Kept in step with the status by sync_is_active(); Django's backends honour it on every request.
    is_active = models.BooleanField("aktiv", default=True, editable=False)
    is_staff = models.BooleanField("ZVK-Mitarbeiter (Zugang zur Verwaltungsoberfläche)", default=False)
    # Django calls this "Administrator-Status"; here "Administrator" is a portal role, so it gets its own name.
    is_superuser = models.BooleanField("Vollzugriff auf die Verwaltungsoberfläche", default=False)
    date_joined = models.DateTimeField("angelegt am", default=timezone.now)
    password_changed_at = models.DateTimeField("Passwort geändert am", null=True, blank=True, editable=False)
    failed_login_count = models.PositiveSmallIntegerField("Falscheingaben in Folge", default=0, editable=False)
    # One-time password (DESIGN §3): a hash to verify it and an encrypted copy for the administrator.
    otp_hash = models.CharField(max_length=255, blank=True, editable=False)
    otp_ciphertext = models.TextField(blank=True, editable=False)
    otp_created_at = models.DateTimeField("Einmalpasswort erzeugt am", null=True, blank=True, editable=False)
    otp_expires_at = models.DateTimeField("Ablaufdatum", null=True, blank=True, editable=False)
    notices = models.CharField(
        "Benachrichtigungen", max_length=20, choices=NoticePreference.choices, default=NoticePreference.IMMEDIATELY
    )
    # Raised to end every open session of the user at once (folded into the session hash).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    scope_units = models.ManyToManyField(
        "billing_units.BillingUnit",
        blank=True,
        related_name="administrators",
        verbose_name="Abrechnungsstellen (Registrierung als Administrator)",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "Benutzer"
        verbose_name_plural = "Benutzer"
        ordering = ["name_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["email", "role"], name="unique_email_per_role"),
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="email_lower_case"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="user_status_valid"),
            # What a membership's copy of the user's role and name refers to (see Membership): unique because the
            # id is, and declared so because a foreign key on PostgreSQL needs exactly these columns unique.
            models.UniqueConstraint(
                fields=["id", "role", "last_name", "first_name", "name_key"], name="user_membership_key"
            ),
        ]
        indexes = [
            # Checked with EXPLAIN on PostgreSQL. "Verwaltung der Benutzer" finds its pages on the
            # memberships (see Membership); the Django admin's user list walks the names in this order, and the
            # list's status filter reads a status's users without reading the whole table.
            models.Index(fields=["name_key", "id"], name="user_name_idx"),
            models.Index(fields=["status", "role"], name="user_status_role_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    # --- Display ------------------------------------------------------------------------------
    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def greeting(self) -> str:
        """The opening of a letter or mail: "Sehr geehrte Frau Keller" where the Anrede is known, else "Guten Tag"
        with the full name."""
        if self.salutation == Salutation.MS:
            return f"Sehr geehrte Frau {self.last_name}"
        if self.salutation == Salutation.MR:
            return f"Sehr geehrter Herr {self.last_name}"
        return f"Guten Tag {self.full_name}"

    @property
    def addressed_name(self) -> str:
        """The name as an address or a letter names the person: "Frau Maria Keller", else "Maria Keller"."""
        return f"{self.get_salutation_display()} {self.full_name}" if self.salutation else self.full_name

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.first_name

    # Django's own get_FOO_display rebuilds the field's choices on every call: 3 µs, and the list shows two a row.
    def get_role_display(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def get_status_display(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def portal_access(self) -> str:
        """Portalzugang: "Aktiv" or "Inaktiv", derived from the Benutzerstatus (manual §8)."""
        return PORTAL_ACCESS[self.status]

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_clerk(self) -> bool:
        return self.role == Role.CLERK

    @cached_property
    def member_ids(self) -> list[int]:
        """The members this user belongs to, read once per request (`request.user` is loaded anew for every
        request; code that changes them calls `forget_member_ids`).

        An administrator belongs to the members of the billing units it is registered for (where it holds the
        membership that registration approves with them): that registration is its scope, and a lock that ends it
        ends its membership in this sense (DESIGN §8). Its `Membership` rows stay, so the member's administrators
        still see it. A clerk belongs to the members of its memberships.
        """
        # Plain SQL: every page of a logged-in user asks this first, and building the query with the ORM costs more
        # than the database takes to answer it (docs/performance.md).
        memberships, member, user = quoted(Membership, "member", "user")
        sql = f"SELECT m.{member} FROM {memberships} m WHERE m.{user} = %s"
        params = [self.pk]
        if self.role == Role.ADMINISTRATOR:
            # Registration approves a member's units and the membership together (registration.services): read
            # through the few memberships, a registration of hundreds of units is probed, not joined with every unit.
            field = User._meta.get_field("scope_units")
            registrations, registered, unit_id = quoted(field.remote_field.through, "user", "billingunit")
            unit = field.related_model
            units, unit_pk, unit_member = quoted(unit, unit._meta.pk.name, "member")
            sql += (
                f" AND EXISTS (SELECT 1 FROM {registrations} r JOIN {units} u ON u.{unit_pk} = r.{unit_id}"
                f" WHERE r.{registered} = %s AND u.{unit_member} = m.{member})"
            )
            params.append(self.pk)
        with connection.cursor() as cursor:
            cursor.execute(sql + " ORDER BY 1", params)
            return [member_id for (member_id,) in cursor.fetchall()]

    def forget_member_ids(self) -> None:
        self.__dict__.pop("member_ids", None)

    # --- Status questions (named predicates: services, views and templates ask these) --------------------------
    @property
    def is_locked(self) -> bool:
        """Gesperrt: Portalzugang Inaktiv, no login at all."""
        return self.status == Status.LOCKED

    @property
    def password_reset_pending(self) -> bool:
        """ "Passwort vergessen" was asked for: a one-time password waits, and the personal password still works."""
        return self.status == Status.PENDING and self.has_usable_password()

    @property
    def must_change_password(self) -> bool:
        """Logged in with a one-time password: nothing but "Passwort ändern" until a personal one is set (fund
        staff too)."""
        return self.status in HOLDS_AN_OTP and not self.has_usable_password()

    @property
    def awaits_handover(self) -> bool:
        """Ausstehend or Deaktiviert with a one-time password: it waits for its administrator to hand it over."""
        return awaits_handover_of(self.status, self.otp_expires_at)

    def otp_expired_at(self, now) -> bool:
        """Its one-time password is past its Ablaufdatum at `now`."""
        return otp_expired_of(self.otp_expires_at, now)

    @property
    def otp_unused(self) -> bool:
        """A one-time password waits that nobody has logged in with since it was set: a secret only whoever set it
        (an administrator, fund staff) and the user know."""
        return bool(self.otp_hash) and (self.last_login is None or self.last_login < self.otp_created_at)

    @property
    def otp_has_expired(self) -> bool:
        """Its one-time password is past its Ablaufdatum now (a pending clerk is then never shown as plain
        Ausstehend)."""
        return self.otp_expired_at(timezone.now())

    @property
    def can_change_own_password(self) -> bool:
        return self.status == Status.ACTIVE

    # --- State machine ------------------------------------------------------------------------
    def can(self, event: Event) -> bool:
        return self.status in TRANSITIONS[event]

    def require(self, event: Event) -> None:
        if not self.can(event):
            raise TransitionNotAllowed(REFUSALS[event], code=f"{event}_refused")

    def transition(self, event: Event) -> tuple[str, str]:
        """Apply an event in memory (never saves); returns (old status, new status)."""
        self.require(event)
        old = self.status
        self.status = TRANSITIONS[event][old]
        self.sync_is_active()
        return old, self.status

    def set_name_key(self) -> None:
        """The name's place in every list follows the name (base/collation.py), in the same row."""
        self.name_key = collation.name_key(self.last_name, self.first_name)

    def save(self, *args, **kwargs):
        self.set_name_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "name_key"]
        super().save(*args, **kwargs)

    def sync_is_active(self) -> None:
        # A locked user may hold no session; a deactivated one may still log in with its new OTP.
        self.is_active = not self.is_locked

    # --- Sessions -----------------------------------------------------------------------------
    def _session_hash(self, secret=None) -> str:
        return salted_hmac(
            "accounts.User.session_hash",
            f"{self.password}|{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=secret)

    def end_sessions(self) -> None:
        """End every open session of this user on its next request (in memory; the service saves)."""
        self.session_epoch += 1


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The memberships in the members the given administrator registered for: whom it may see (DESIGN §3).
        Everyone else sees none. The member ids are values, not a subquery, so that PostgreSQL plans for the
        size of exactly these members."""
        if not getattr(user, "is_administrator", False):
            return self.none()
        return self.filter(member_id__in=user.member_ids)

    def contacts_visible_to(self, clerk):
        """Whom the clerk can call (its start page): per member it belongs to, the administrators still registered
        there and not Gesperrt, with name, phone and e-mail. One query; a member with hundreds of units lists each
        administrator once."""
        registered = User.scope_units.through.objects.filter(
            user_id=OuterRef("user_id"), billingunit__member_id=OuterRef("member_id")
        )
        return (
            self.filter(role=Role.ADMINISTRATOR, member__memberships__user=clerk)
            .of_unlocked_users()
            .filter(Exists(registered))
            .select_related("user", "member")
            .only(
                "member__number", "member__name", *(f"user__{f}" for f in ("first_name", "last_name", "phone", "email"))
            )
            .order_by("member__number", "name_key", "user_id")
        )

    def follow(self, user) -> None:
        """After a service changed a user's name (or role): its memberships' copy follows (see Membership). The
        services that change a name call this, in their transaction; on PostgreSQL the foreign key of migration 0007
        would refuse a copy left behind."""
        copy = {
            "role": user.role,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "name_key": user.name_key,
        }
        self.filter(user=user).exclude(**copy).update(**copy)

    def of_unlocked_users(self):
        return self.filter(unlocked_q("user__"))

    def first_per_user(self, user):
        """Of a user's memberships visible to `user` only the one in the lowest member id: a user of two of
        the administrator's members is listed once."""
        if len(user.member_ids) < 2:
            return self  # one member: a user has one membership there (unique_membership)
        earlier = Membership.objects.visible_to(user).filter(
            user_id=OuterRef("user_id"), member_id__lt=OuterRef("member_id")
        )
        return self.exclude(Exists(earlier))


class Membership(models.Model):
    """A user belongs to a member: a clerk from its creation or first grant there, an administrator from
    its registration. Every administrator of the member sees it (DESIGN §3).

    The row carries a copy of the user's role and name, the key of "Verwaltung der Benutzer": the list counts
    a member's users and finds the 50 of a page in this table's index alone, so that its time depends neither
    on the member's size nor on the number of users in the database. Without it PostgreSQL pages the users by
    walking the name index of the whole user table (5,400 users read for 50 of a member with 1,000 of
    100,000; docs/performance.md). `Membership.of(user)` and `save()` take the copy from the user,
    the services that change a name keep it in step (`Membership.objects.follow`), and only administrators and clerks can be members (a check). On
    PostgreSQL a foreign key on (user, role, last name, first name, name key) also refuses a copy that differs from
    the user and follows a change of name by itself (migrations 0007 and 0011).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name="Benutzer")
    member = models.ForeignKey(
        "billing_units.Member", on_delete=models.PROTECT, related_name="memberships", verbose_name="Mitglied"
    )
    created_at = models.DateTimeField("seit", default=timezone.now)
    role = models.CharField("Benutzerrolle", max_length=20, choices=Role.choices, editable=False)
    last_name = models.CharField("Nachname", max_length=150, editable=False)
    first_name = models.CharField("Vorname", max_length=150, editable=False)
    name_key = models.CharField(max_length=310, editable=False, db_collation=collation.NAME)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "Mitgliedschaft"
        verbose_name_plural = "Mitgliedschaften"
        constraints = [
            models.UniqueConstraint(fields=["user", "member"], name="unique_membership"),
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.ADMINISTRATOR, Role.CLERK]), name="membership_portal_role"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "user"], name="membership_member_user_idx"),
            # Page 1 of a member's users in name order: the first 50 entries of this index.
            models.Index(fields=["member", "name_key", "user"], name="membership_list_idx"),
        ]

    def __str__(self):
        return f"{self.user} – {self.member}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            user = self.user
            self.role, self.last_name, self.first_name, self.name_key = (
                user.role,
                user.last_name,
                user.first_name,
                user.name_key,
            )
        super().save(*args, **kwargs)

    @classmethod
    def of(cls, user: User, **fields) -> "Membership":
        """A new membership of `user`, with its copy of the user's role and name (for bulk_create)."""
        return cls(
            user=user,
            role=user.role,
            last_name=user.last_name,
            first_name=user.first_name,
            name_key=user.name_key,
            **fields,
        )


class PasswordRequest(models.Model):
    """A "Passwort vergessen" request. Counted for the hourly limit; an administrator's request waits here
    for fund staff, who send new access data by letter (DESIGN §4)."""

    email = models.EmailField("E-Mail")
    role = models.CharField("Benutzerrolle", max_length=20, choices=Role.choices)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="password_requests", verbose_name="Benutzer"
    )
    created_at = models.DateTimeField("angefordert am", default=timezone.now)
    handled_at = models.DateTimeField("erledigt am", null=True, blank=True)
    handled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="erledigt von"
    )

    class Meta:
        verbose_name = "„Passwort vergessen“-Anfrage"
        verbose_name_plural = "„Passwort vergessen“-Anfragen"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "role", "created_at"], name="pwrequest_email_time_idx")]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()}) {self.created_at:%d.%m.%Y %H:%M}"
