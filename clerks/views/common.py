"""What the administrator's screens share: the role check, loading a clerk or an administrator through
`visible_to` (another member's is a 404), a refused action shown beside its form, the note on a form saved a moment
ago, and the units shown beside each listed person."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.db.models import BooleanField, Exists, OuterRef, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from accounts import typed_input
from accounts.decorators import role_required
from accounts.models import DomainError, Membership, Role, User
from base.db import planned_each_time
from billing_units.models import BillingUnit
from clerks.models import Grant

administrator_only = role_required(Role.ADMINISTRATOR)
PAGE_SIZE = 50
HISTORY_ROWS = 20  # the newest entries of the Änderungsprotokoll; fund staff see all in the Django admin
# What a checkbox of a billing unit shows ("002021 Stadt Gera – Eigenbetrieb Bäder"); a member has hundreds.
UNIT_FIELDS = ["number", "name"]
SAVED = "Sie haben den Sachbearbeiter erfolgreich gespeichert."
# A page that records what it showed and met a change under way on the same row (accounts.services.record_otp_shown).
BUSY = "Der Zugang ist gerade in Bearbeitung, bitte versuchen Sie es in einigen Sekunden erneut."
NEW_OTP_ELSEWHERE = (
    "Der Sachbearbeiter hat ein neues Einmalpasswort erhalten. Weil er auch Berechtigungen außerhalb Ihrer "
    "Registrierung hat, sehen Sie es nicht; die Detailansicht nennt, wer es ihm mitteilen kann."
)
# The clerk whose one-time password the administrator has just set: its Detailansicht shows it first, once.
FRESH_OTP = "fresh_otp"
FRESH_OTP_ANCHOR = "neues-einmalpasswort"
# The forms saved lately ("<form>:<clerk pk>" -> when): going back to such a form shows the saved state and says so.
SAVED_FORMS = "saved_forms"
SAVED_NOTE_MINUTES = 15


def clerk_or_404(request, pk):
    return get_object_or_404(User.objects.visible_to(request.user).clerks(), pk=pk)


def administrator_or_404(request, pk):
    return get_object_or_404(User.objects.visible_to(request.user).administrators(), pk=pk)


def refuse(form, error: DomainError) -> None:
    """Show a refused action beside its field where the form has that field, else above the form."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


def remember_saved(request, form: str, clerk, *, lands_here: bool = False) -> None:
    """A form was saved. Where the redirect leads back to the form's own page (`lands_here`), that first view shows
    the success message and not the note."""
    saved = request.session.get(SAVED_FORMS, {})
    saved[f"{form}:{clerk.pk}"] = {"at": timezone.now().isoformat(), "skip": lands_here}
    request.session[SAVED_FORMS] = saved


def already_saved(request, form: str, clerk) -> str:
    """The note on a form page that the administrator comes back to (the browser's "Zurück") after saving it: the
    page shows what is saved now, and says that nothing is waiting to be saved."""
    saved = request.session.get(SAVED_FORMS, {})
    entry = saved.get(f"{form}:{clerk.pk}")
    if not entry:
        return ""
    at = datetime.fromisoformat(entry["at"])
    if timezone.now() - at > timedelta(minutes=SAVED_NOTE_MINUTES):
        return ""
    if entry["skip"]:
        entry["skip"] = False
        request.session.modified = True
        return ""
    return (
        f"Die Änderungen wurden bereits gespeichert (um {timezone.localtime(at):%H:%M} Uhr). Die Seite zeigt den "
        "aktuellen Stand; Sie müssen nichts erneut speichern."
    )


def toggled(request, units) -> list[str]:
    """The select-all button without JavaScript: tick every unit, or none if all were ticked."""
    chosen = set(request.POST.getlist("units"))
    every = [str(pk) for pk in units.values_list("pk", flat=True)]
    return [] if set(every) <= chosen else every


# The columns the list shows: loading no more keeps 50 rows cheap (no password hashes, no OTP copies).
LIST_FIELDS = ["first_name", "last_name", "email", "role", "status", "otp_expires_at", "last_login"]


def units_by_user(users, by) -> tuple[dict[int, list[tuple[str, str]]], set[int]]:
    """(number, name) of the billing units shown beside each user, as far as the administrator may see them:
    a clerk's grants for the administrator's units, an administrator's registration for the administrator's
    members. Also which listed administrators hold a registered unit inside `by`'s own registration: those whose
    registration "Berechtigung entziehen" could end (DESIGN §8). One query for the whole page (none for a page
    without anyone), and plain tuples rather than model instances."""
    clerk_ids = [user.pk for user in users if user.role == Role.CLERK]
    administrator_ids = [user.pk for user in users if user.role == Role.ADMINISTRATOR]
    queries = []
    if clerk_ids:
        queries.append(
            Grant.objects.visible_to(by)
            .filter(clerk_id__in=clerk_ids)
            .order_by()
            .annotate(mine=Value(False, output_field=BooleanField()))
            .values_list("clerk_id", "billing_unit__number", "billing_unit__name", "mine")
        )
    if administrator_ids:  # most pages of a large member list clerks only: the query is then the grants' alone
        own = BillingUnit.objects.visible_to(by).filter(pk=OuterRef("pk"))
        queries.append(
            BillingUnit.objects.of_members_visible_to(by)
            .filter(administrators__in=administrator_ids)
            .order_by()
            .annotate(mine=Exists(own))
            .values_list("administrators", "number", "name", "mine")
        )
    with planned_each_time():  # how many units the registration holds decides the plan
        rows = list(queries[0].union(*queries[1:], all=True)) if queries else []
    units, lockable = {}, set()
    for user_id, number, name, mine in sorted(rows, key=lambda row: row[1]):
        units.setdefault(user_id, []).append((number, name))
        if mine:
            lockable.add(user_id)
    return units, lockable


# Of a form sent after the session ended, these fields are typed in again after the new login (typed_input).
PERSON_INPUT = ("first_name", "last_name", "phone", "email")
TYPED_AGAIN = "Ihre Eingaben sind wieder eingetragen. Bitte prüfen Sie sie und klicken Sie erneut auf „{button}“."


def typed_again(request, button: str):
    """What was typed before the session ended (accounts.typed_input), with the message that says so."""
    typed = typed_input.restored(request)
    if typed is not None:
        messages.info(request, TYPED_AGAIN.format(button=button))
    return typed


def to_fresh_otp(request, clerk):
    """After "Einmalpasswort setzen" or a "Berechtigung erteilen" that set one: the Detailansicht shows the new
    one-time password above everything else, and the browser goes straight to it."""
    request.session[FRESH_OTP] = clerk.pk
    return redirect(reverse("clerks:detail", args=[clerk.pk]) + f"#{FRESH_OTP_ANCHOR}")


def clerk_and_shared_members(request, pk) -> tuple[User, set[int]]:
    """The clerk, and which of the administrator's members it belongs to: both from its visible memberships,
    in one query. Another member's clerk, or an administrator, is a 404 as with `clerk_or_404`."""
    memberships = list(
        # user__pk, not user_id: Django refuses a pk beyond the column's range there as "no such user"
        Membership.objects.visible_to(request.user).filter(user__pk=pk, role=Role.CLERK).select_related("user")
    )
    if not memberships:
        raise Http404("Kein Sachbearbeiter Ihrer Mitglieder.")
    return memberships[0].user, {membership.member_id for membership in memberships}
