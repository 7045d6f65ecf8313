"""Registration and approval (manual §2, §7.2): an application is recorded, fund staff approve it (which creates or
renews the administrator account, registered for the approved member's units only, and lifts that member's
cascade locks) or reject it with a reason."""

from django.db import transaction
from django.utils import timezone

from accounts import credentials, otp  # noqa: F401
from accounts.models import DomainError, Event, Membership, Role, Status, User
from audit import log as audit
from billing_units.models import Member
from clerks.services import lift_cascade_locks
from registration.models import AdministratorApplication, ApplicationStatus


def submit_application(*, member, units, all_units: bool, **person) -> AdministratorApplication:
    """Record an application to become administrator; fund staff decide on it in the Django admin."""
    with transaction.atomic():
        application = AdministratorApplication.objects.create(
            member=member, all_units=all_units, responsibilities_confirmed=True, **person
        )
        if not all_units:
            application.billing_units.set(units)
        audit.record(
            "application.submitted",
            actor_label=application.email,
            member=member,
            data={"application": application.pk, "units": "alle" if all_units else sorted(u.number for u in units)},
        )
    return application


def approve_application(*, application: AdministratorApplication, by: User) -> tuple[User, str]:
    """Freigeben: create (or renew) the administrator account in status Ausstehend with a new one-time
    password for the access letter, scoped as applied; lift the member's cascade locks and only those.
    Returns the administrator and the one-time password."""
    with transaction.atomic():
        application = AdministratorApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.OPEN:
            raise DomainError("Über diese Registrierung wurde bereits entschieden.")
        member = Member.objects.select_for_update().get(pk=application.member_id)
        units = list(member.billing_units.all() if application.all_units else application.billing_units.all())
        administrator = (
            User.objects.select_for_update().filter(email=application.email, role=Role.ADMINISTRATOR).first()
        )
        renewed = administrator is not None
        if administrator is None:
            administrator = User(email=application.email, role=Role.ADMINISTRATOR, status=Status.PENDING)
        else:
            administrator.transition(Event.APPROVE)
        administrator.salutation = application.salutation
        administrator.first_name = application.first_name
        administrator.last_name = application.last_name
        administrator.phone = application.phone
        value, _fields = credentials.renew(administrator)
        administrator.sync_is_active()
        administrator.save()
        Membership.objects.follow(administrator)
        administrator.scope_units.add(*units)
        Membership.objects.get_or_create(user=administrator, member=member)
        administrator.forget_member_ids()
        application.status = ApplicationStatus.APPROVED
        application.decided_at = timezone.now()
        application.decided_by = by
        application.administrator = administrator
        application.save(update_fields=["status", "decided_at", "decided_by", "administrator"])
        audit.record(
            "application.approved",
            actor=by,
            target=administrator,
            member=member,
            data={"application": application.pk, "renewed_account": renewed, "units": sorted(u.number for u in units)},
        )
        lift_cascade_locks(member=member, by=by)
    return administrator, value


def reject_application(*, application: AdministratorApplication, by: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Bitte geben Sie einen Grund für die Ablehnung an.")
    with transaction.atomic():
        application = AdministratorApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.OPEN:
            raise DomainError("Über diese Registrierung wurde bereits entschieden.")
        application.status = ApplicationStatus.REJECTED
        application.decided_at = timezone.now()
        application.decided_by = by
        application.rejection_reason = reason
        application.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        audit.record(
            "application.rejected",
            actor=by,
            member_id=application.member_id,
            data={"application": application.pk, "reason": reason},
        )
