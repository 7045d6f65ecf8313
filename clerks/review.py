"""Berechtigungen bestätigen (BSI ORP.4.A3): once a year, per member, its administrators confirm person by person that
the access of the member's clerks and co-administrators is still needed, or withdraw it with the existing lock.

`manage.py start_access_reviews` (daily by cron) starts each member's review on ACCESS_REVIEW_DAY and mails its
administrators; reminders follow after 14 and 28 days; after 42 days fund staff see the member as overdue. Nothing
is ever removed automatically. An administrator cannot confirm itself. The review is complete when every person of
the member that is not Gesperrt has been confirmed.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import DomainError, Membership, Role, User
from audit import log as audit
from base.db import aware, quoted
from billing_units.models import BillingUnit, Member
from clerks import emails, listing
from clerks.models import AccessReview, Confirmation

REMINDER_DAYS = (14, 28)
OVERDUE_DAYS = 42
REVIEW_REASON = "Überprüfung: nicht mehr benötigt"


def review_day(year: int):
    month, day = (int(part) for part in settings.ACCESS_REVIEW_DAY.split("-"))
    return timezone.make_aware(datetime.combine(date(year, month, day), time()))


def people(member: Member):
    """Whose access the review covers: the member's clerks and administrators that are not Gesperrt."""
    ids = Membership.objects.filter(member=member).values("user_id")
    return User.objects.filter(pk__in=ids, role__in=[Role.CLERK, Role.ADMINISTRATOR]).unlocked()


def administrators_of(member: Member):
    return User.objects.administering(member)


def overdue(*, now=None):
    now = now or timezone.now()
    return AccessReview.objects.open().filter(started_at__lte=now - timedelta(days=OVERDUE_DAYS))


def run(*, now=None) -> dict:
    """Start this year's reviews that are due and send the reminders that are due; idempotent."""
    now = now or timezone.now()
    started, reminded = [], []
    if now >= review_day(now.year):
        for member in Member.objects.exclude(access_reviews__year=now.year).order_by("pk"):
            if not administrators_of(member).exists():
                continue  # nobody to review: fund staff see members without administrator elsewhere
            with transaction.atomic():
                review = AccessReview.objects.create(member=member, year=now.year, started_at=now)
                audit.record("review.started", member=member, data={"year": now.year})
                _mail(review, reminder=False)
            started.append(member.pk)
    for review in AccessReview.objects.open().select_related("member"):
        due = sum(1 for days in REMINDER_DAYS if now >= review.started_at + timedelta(days=days))
        if due > review.reminders:
            with transaction.atomic():
                review.reminders = due
                review.save(update_fields=["reminders"])
                audit.record("review.reminded", member=review.member, data={"year": review.year, "reminder": due})
                _mail(review, reminder=True)
            reminded.append(review.member_id)
    return {"started": started, "reminded": reminded}


def _mail(review: AccessReview, *, reminder: bool) -> None:
    for administrator in administrators_of(review.member):
        emails.access_review(administrator, review=review, reminder=reminder)


def open_reviews_for(by: User):
    return list(AccessReview.objects.visible_to(by).open().select_related("member").order_by("member__number"))


@dataclass(frozen=True)
class Progress:
    """How far a review has come ("112 von 288 bestätigt"), and how many people the page's filter lists."""

    confirmed: int
    total: int
    listed: int


def listed(review: AccessReview, *, by: User, unit: BillingUnit | None = None):
    """The people "Berechtigungen bestätigen" lists for `by`, in German name order: the member's people not Gesperrt,
    or those working on one of `by`'s units; each with when and by whom it was confirmed in this review (or None)."""
    members = Membership.objects.visible_to(by).filter(member_id=review.member_id)
    people = User.objects.visible_to(by).filter(pk__in=members.values("user_id")).unlocked()
    if unit is not None:
        people = people.filter(pk__in=listing.with_unit(members, unit.pk, by=by).values("user_id"))
    confirmation = Confirmation.objects.filter(review=review, user_id=OuterRef("pk"))
    return (
        people.only("first_name", "last_name", "name_key", "email", "role", "status", "last_login")
        .annotate(
            confirmed_at=Subquery(confirmation.values("confirmed_at")[:1]),
            confirmed_by_email=Subquery(confirmation.values("confirmed_by__email")[:1]),
        )
        .order_by("name_key", "pk")
    )


def progress(review: AccessReview, *, by: User, unit: BillingUnit | None = None) -> Progress:
    """One query: the confirmed and all people of the review, and those the filter lists."""
    everyone = listed(review, by=by)
    matching = Q(pk__in=listed(review, by=by, unit=unit).values("pk")) if unit is not None else Q(pk__isnull=False)
    counts = everyone.order_by().aggregate(
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        total=Count("pk"),
        listed=Count("pk", filter=matching),
    )
    return Progress(**counts)


def last_confirmation(user: User) -> dict | None:
    """When the user's access was last confirmed and by whom: {"confirmed_at", "confirmed_by_email"}, or None.

    Plain SQL: every Detailansicht asks this, and Django took longer to build the statement than the database to
    answer it (docs/performance.md)."""
    confirmations, person, by, at = quoted(Confirmation, "user", "confirmed_by", "confirmed_at")
    users, user_pk, email = quoted(User, "id", "email")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.{at}, u.{email} FROM {confirmations} c JOIN {users} u ON u.{user_pk} = c.{by}"
            f" WHERE c.{person} = %s ORDER BY c.{at} DESC LIMIT 1",
            [user.pk],
        )
        row = cursor.fetchone()
    return {"confirmed_at": aware(row[0]), "confirmed_by_email": row[1]} if row else None


def confirm(*, review: AccessReview, users, by: User) -> list[User]:
    """Confirm these people's access in the review (those not confirmed yet); returns whom it confirmed. The acting
    administrator must be one of the member's, and is never confirmed by itself."""
    with transaction.atomic():
        review = AccessReview.objects.select_for_update().get(pk=review.pk)
        if review.member_id not in by.member_ids or by.is_locked:
            raise DomainError("Diese Überprüfung gehört nicht zu Ihren Mitgliedern.")
        if not review.is_open:
            raise DomainError("Diese Überprüfung ist bereits abgeschlossen.")
        covered = set(people(review.member).values_list("pk", flat=True))
        done = set(review.confirmations.values_list("user_id", flat=True))
        if any(user.pk == by.pk for user in users) and len(users) == 1:
            raise DomainError("Ihre eigene Berechtigung bestätigt ein anderer Administrator.")
        confirmed = [u for u in users if u.pk in covered and u.pk not in done and u.pk != by.pk]
        for user in confirmed:
            Confirmation.objects.create(review=review, user=user, confirmed_by=by)
            audit.record(
                "user.access_confirmed", actor=by, target=user, member_id=review.member_id, data={"year": review.year}
            )
        if covered <= done | {u.pk for u in confirmed}:
            review.completed_at = timezone.now()
            review.save(update_fields=["completed_at"])
            audit.record("review.completed", actor=by, member_id=review.member_id, data={"year": review.year})
    return confirmed
