"""Verwaltung der Benutzer: the administrator's screens of the manual, §2 to §7.

Every object is loaded through a `visible_to(request.user)` queryset, so another member's user is a 404;
every change is a POST that calls one service and answers with a message and a redirect.
"""

import uuid
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, OuterRef, Value
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import otp, typed_input
from accounts.decorators import role_required
from accounts.models import DomainError, Event, Membership, Role, Status, User
from audit.models import AuditEntry
from billing_units.models import BillingUnit
from clerks import attention, authority, listing, lock_collisions, services
from clerks import overview as overview_export
from clerks import protocol as protocol_export
from clerks import review as review_service
from clerks.forms import (
    SORTS,
    LockReasonForm,
    NoticeSettingsForm,
    OverviewFilterForm,
    PersonalDataForm,
    ProtocolFilterForm,
    UnitsForm,
    UserFilterForm,
)
from clerks.models import AccessReview, Grant, MemberLock
from clerks.overview import rows as overview_rows
from clerks.protocol import entries as protocol_entries
from security import devices

administrator_only = role_required(Role.ADMINISTRATOR)
PAGE_SIZE = 50
HISTORY_ROWS = 20  # the newest entries of the Änderungsprotokoll; fund staff see all in the Django admin
# What a checkbox of a billing unit shows ("002021 Stadt Gera – Eigenbetrieb Bäder"); a member has hundreds.
UNIT_FIELDS = ["number", "name"]
SAVED = "Sie haben den Sachbearbeiter erfolgreich gespeichert."
NEW_OTP_ELSEWHERE = (
    "Der Sachbearbeiter hat ein neues Einmalpasswort erhalten. Weil er auch Berechtigungen außerhalb Ihrer "
    "Registrierung hat, sehen Sie es nicht; die Detailansicht nennt, wer es ihm mitteilen kann."
)
DRAFT = "clerk_draft"
CREATED = "clerk_created"
# The clerk whose one-time password the administrator has just set: its Detailansicht shows it first, once.
FRESH_OTP = "fresh_otp"
FRESH_OTP_ANCHOR = "neues-einmalpasswort"
# The forms saved lately ("<form>:<clerk pk>" -> when): going back to such a form shows the saved state and says so.
SAVED_FORMS = "saved_forms"
SAVED_NOTE_MINUTES = 15


def _clerk(request, pk):
    return get_object_or_404(User.objects.visible_to(request.user).clerks(), pk=pk)


def _administrator(request, pk):
    return get_object_or_404(User.objects.visible_to(request.user).administrators(), pk=pk)


def _refuse(form, error: DomainError) -> None:
    """Show a refused action beside its field where the form has that field, else above the form."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


def _remember_saved(request, form: str, clerk, *, lands_here: bool = False) -> None:
    """A form was saved. Where the redirect leads back to the form's own page (`lands_here`), that first view shows
    the success message and not the note."""
    saved = request.session.get(SAVED_FORMS, {})
    saved[f"{form}:{clerk.pk}"] = {"at": timezone.now().isoformat(), "skip": lands_here}
    request.session[SAVED_FORMS] = saved


def _already_saved(request, form: str, clerk) -> str:
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


def _toggled(request, units) -> list[str]:
    """The select-all button without JavaScript: tick every unit, or none if all were ticked."""
    chosen = set(request.POST.getlist("units"))
    every = [str(pk) for pk in units.values_list("pk", flat=True)]
    return [] if set(every) <= chosen else every


# --- Verwaltung der Benutzer ----------------------------------------------------------------------


# The columns the list shows: loading no more keeps 50 rows cheap (no password hashes, no OTP copies).
LIST_FIELDS = ["first_name", "last_name", "email", "role", "status", "otp_expires_at", "last_login"]


@administrator_only
@require_safe
def user_list(request):
    form = UserFilterForm(request.GET or None, units=_own_units(request.user))
    filters = {}
    if form.is_bound:
        form.is_valid()  # the valid filters apply; an invalid one is shown beside its field and left out
        filters = form.cleaned_data
    memberships = listing.matching(filters, by=request.user)
    listed = _ListedUsers(memberships, request.user, SORTS[filters.get("sort") or "name"])
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    units, lockable = _units_by_user(page.object_list, request.user)
    for person in page.object_list:
        person.units = units.get(person.pk, [])
        person.lockable_by_viewer = person.pk in lockable and not person.is_locked
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "single_administrator_members": services.members_with_a_single_administrator(by=request.user),
        "open_reviews": review_service.open_reviews_for(request.user),
        "attention": attention.groups(by=request.user),
    }
    response = render(request, "clerks/user_list.html", context)
    listing.remember(request, response)
    return response


def _own_units(by):
    return BillingUnit.objects.visible_to(by).order_by("number")


class _ListedUsers:
    """What the list's paginator pages through: the users behind the administrator's memberships, in list
    order. Counted and cut into pages on the memberships' copy of the name (a member's index entries, never
    the whole user table); the page's users are then loaded through visible_to, one query per page."""

    def __init__(self, memberships, by, sort):
        self.memberships, self.by, self.sort = memberships.first_per_user(by), by, sort

    def count(self) -> int:
        return self.memberships.count()

    def __getitem__(self, page: slice) -> list[User]:
        keys = self.memberships.order_by(*self.sort["key"]).values("user_id")[page]
        users = User.objects.visible_to(self.by).filter(pk__in=keys).only(*LIST_FIELDS)
        return list(users.order_by(*self.sort["users"]))


def _units_by_user(users, by) -> tuple[dict[int, list[tuple[str, str]]], set[int]]:
    """(number, name) of the billing units shown beside each user, as far as the administrator may see them:
    a clerk's grants for the administrator's units, an administrator's registration for the administrator's
    members. Also which listed administrators hold a registered unit inside `by`'s own registration: those whose
    registration "Berechtigung entziehen" could end (DESIGN §8). One query for the whole page, and plain tuples
    rather than model instances."""
    clerk_ids = [user.pk for user in users if user.role == Role.CLERK]
    administrator_ids = [user.pk for user in users if user.role == Role.ADMINISTRATOR]
    granted = (
        Grant.objects.visible_to(by)
        .filter(clerk_id__in=clerk_ids)
        .order_by()
        .annotate(mine=Value(False, output_field=BooleanField()))
        .values_list("clerk_id", "billing_unit__number", "billing_unit__name", "mine")
    )
    own = BillingUnit.objects.visible_to(by).filter(pk=OuterRef("pk"))
    registered = (
        BillingUnit.objects.of_members_visible_to(by)
        .filter(administrators__in=administrator_ids)
        .order_by()
        .annotate(mine=Exists(own))
        .values_list("administrators", "number", "name", "mine")
    )
    units, lockable = {}, set()
    for user_id, number, name, mine in sorted(granted.union(registered, all=True), key=lambda row: row[1]):
        units.setdefault(user_id, []).append((number, name))
        if mine:
            lockable.add(user_id)
    return units, lockable


# --- §3 Sachbearbeiter anlegen --------------------------------------------------------------------


# Of a form sent after the session ended, these fields are typed in again after the new login (typed_input).
PERSON_INPUT = ("first_name", "last_name", "phone", "email")
TYPED_AGAIN = "Ihre Eingaben sind wieder eingetragen. Bitte prüfen Sie sie und klicken Sie erneut auf „{button}“."


def _typed_again(request, button: str):
    """What was typed before the session ended (accounts.typed_input), with the message that says so."""
    typed = typed_input.restored(request)
    if typed is not None:
        messages.info(request, TYPED_AGAIN.format(button=button))
    return typed


@administrator_only
@typed_input.keeps_input(*PERSON_INPUT)
@require_http_methods(["GET", "HEAD", "POST"])
def create(request):
    """Step 1: the personal data. They wait in the session until step 2 saves the clerk."""
    typed = _typed_again(request, "Weiter") if request.method != "POST" else None
    draft = request.session.get(DRAFT) or {}
    returning = draft and request.GET.get("entwurf") == draft.get("token")
    initial = typed.dict() if typed is not None else draft.get("person") if returning else None
    form = PersonalDataForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_clerk_email(email=form.cleaned_data["email"])
        except DomainError as error:
            _refuse(form, error)
        else:
            token = draft.get("token") or uuid.uuid4().hex
            request.session[DRAFT] = {"token": token, "person": form.cleaned_data, "units": draft.get("units", [])}
            return redirect("clerks:create_units")
    return render(request, "clerks/clerk_create.html", {"form": form})


@administrator_only
@typed_input.keeps_input("units", session_keys=(DRAFT,))
@require_http_methods(["GET", "HEAD", "POST"])
def create_units(request):
    """Step 2: a checkbox per billing unit in scope, then "Speichern". A second submit never makes a second clerk."""
    typed = _typed_again(request, "Speichern") if request.method != "POST" else None
    created = request.session.get(CREATED) or {}
    token = request.POST.get("token", "")
    if request.method == "POST" and token in created:
        return redirect("clerks:created", pk=created[token])
    draft = request.session.get(DRAFT)
    if not draft and created and request.method != "POST":  # "Zurück" after saving
        messages.info(request, "Der Sachbearbeiter wurde bereits gespeichert. Sie müssen nichts erneut speichern.")
        return redirect("clerks:created", pk=next(iter(created.values())))
    if not draft or (request.method == "POST" and token != draft["token"]):
        messages.info(request, "Bitte geben Sie zuerst die persönlichen Daten des Sachbearbeiters ein.")
        return redirect("clerks:create")
    units = BillingUnit.objects.visible_to(request.user).only(*UNIT_FIELDS).order_by("number")
    chosen = typed.getlist("units") if typed is not None else draft["units"]
    form = UnitsForm(request.POST if request.method == "POST" else None, units=units, initial={"units": chosen})
    if "toggle_all" in request.POST:
        form = UnitsForm(units=units, initial={"units": _toggled(request, units)})
    elif request.method == "POST" and form.is_valid():
        try:
            clerk = services.create_clerk(
                by=request.user, **draft["person"], unit_ids=[unit.pk for unit in form.cleaned_data["units"]]
            )
        except DomainError as error:
            clerk = services.just_created_by(by=request.user, email=draft["person"]["email"])
            if clerk is None:
                _refuse(form, error)
        if clerk is not None:
            request.session[CREATED] = {token: clerk.pk}
            request.session.pop(DRAFT, None)
            messages.success(request, SAVED)
            return redirect("clerks:created", pk=clerk.pk)
    return render(request, "clerks/clerk_create_units.html", {"form": form, "draft": draft})


@administrator_only
@require_safe
def created(request, pk):
    return render(request, "clerks/clerk_created.html", {"clerk": _clerk(request, pk)})


# --- Detailansicht (§3 i, §4, §6, §7.1) -----------------------------------------------------------


def _clerk_and_shared_members(request, pk) -> tuple[User, set[int]]:
    """The clerk, and which of the administrator's members it belongs to: both from its visible memberships,
    in one query. Another member's clerk, or an administrator, is a 404 as with `_clerk`."""
    memberships = list(
        # user__pk, not user_id: Django refuses a pk beyond the column's range there as "no such user"
        Membership.objects.visible_to(request.user).filter(user__pk=pk, role=Role.CLERK).select_related("user")
    )
    if not memberships:
        raise Http404("Kein Sachbearbeiter Ihrer Mitglieder.")
    return memberships[0].user, {membership.member_id for membership in memberships}


def _detail(request, clerk, shared_members, personal_form=None, status=200):
    # Rows of plain values, not model instances: a clerk may hold hundreds of grants.
    grants = (
        Grant.objects.visible_to(request.user)
        .filter(clerk=clerk)
        .order_by("billing_unit__member__number", "billing_unit__number")
        .values_list(
            "billing_unit__member__number", "billing_unit__member__name", "billing_unit__name", "billing_unit__number"
        )
    )
    locks = list(MemberLock.objects.visible_to(request.user).filter(clerk=clerk).select_related("member"))
    history = (
        AuditEntry.objects.visible_to(request.user)
        .filter(target=clerk)
        .only("created_at", "actor_label", "action", "data", "member")
        .order_by("-created_at", "-pk")[:HISTORY_ROWS]
    )
    handles_credentials = authority.may_handle_credentials(by=request.user, target=clerk)
    otp_value = otp.readable(clerk) if handles_credentials else None
    just_set = request.session.pop(FRESH_OTP, None) == clerk.pk
    if otp_value:
        services.record_otp_shown(clerk=clerk, by=request.user)
    personal_form = personal_form or PersonalDataForm(
        initial={f: getattr(clerk, f) for f in ("first_name", "last_name", "phone", "email")},
        email_locked=not handles_credentials,
    )
    # "Berechtigung entziehen" while one of the administrator's members has not locked the clerk yet.
    lockable = services.lockable_member_ids(
        clerk=clerk, by=request.user, shared=shared_members, locks=locks, handles_credentials=handles_credentials
    )
    context = {
        "clerk": clerk,
        "can_lock": clerk.can(Event.LOCK) and bool(lockable),
        "can_change": not clerk.is_locked,
        "handles_credentials": handles_credentials,
        "credential_holders": None if handles_credentials else authority.credential_holders(clerk),
        "personal_form": personal_form,
        "otp_value": otp_value,
        "fresh_otp": just_set and bool(otp_value),
        "already_saved": "" if personal_form.is_bound else _already_saved(request, "personal", clerk),
        "otp_unreadable": handles_credentials and otp.unreadable(clerk),
        "otp_expired": otp.is_expired(clerk),
        "untrusted_refusal": devices.refusal_for(clerk),
        "grants": grants,
        "locks": locks,
        "liftable_locks": authority.liftable_lock_ids(locks=locks, by=request.user),
        "has_open_lock": any(lock.is_open for lock in locks),
        "history": history,
        "last_confirmation": review_service.last_confirmation(clerk),
    }
    return render(request, "clerks/clerk_detail.html", context, status=status)


@administrator_only
@require_safe
def detail(request, pk):
    return _detail(request, *_clerk_and_shared_members(request, pk))


@administrator_only
@typed_input.keeps_input(*PERSON_INPUT)
@require_http_methods(["GET", "HEAD", "POST"])
def personal_data(request, pk):
    """§4: Persönliche Daten "Speichern". The form lives on the detail page; a GET shows it there, filled in again
    after a login where it was sent after the session had ended."""
    clerk, shared_members = _clerk_and_shared_members(request, pk)
    email_locked = not authority.may_handle_credentials(by=request.user, target=clerk)
    if request.method != "POST":
        typed = _typed_again(request, "Speichern")
        if typed is None:
            return redirect("clerks:detail", pk=clerk.pk)
        initial = typed.dict() | ({"email": clerk.email} if email_locked else {})
        form = PersonalDataForm(initial=initial, email_locked=email_locked)
        return _detail(request, clerk, shared_members, personal_form=form)
    form = PersonalDataForm(request.POST, initial={"email": clerk.email}, email_locked=email_locked)
    if form.is_valid():
        try:
            changes = services.update_personal_data(clerk=clerk, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, SAVED if changes else "Es wurden keine Änderungen vorgenommen.")
            if changes:
                _remember_saved(request, "personal", clerk, lands_here=True)
            if "email" in changes:
                messages.info(
                    request,
                    "Die E-Mail-Adresse ist der neue Benutzername. Der Sachbearbeiter wurde per E-Mail informiert.",
                )
            return redirect("clerks:detail", pk=clerk.pk)
    return _detail(request, clerk, shared_members, personal_form=form)


def _today_de() -> str:
    return timezone.localdate().strftime("%d.%m.%Y")


@administrator_only
@require_safe
def handover_slip(request, pk):
    """ "Übergabeblatt drucken": one A4 page with the clerk's login and one-time password, to hand over (audited)."""
    clerk, _shared = _clerk_and_shared_members(request, pk)
    if not authority.may_handle_credentials(by=request.user, target=clerk):
        messages.error(request, authority.REFUSED)
        return redirect("clerks:detail", pk=clerk.pk)
    value = otp.readable(clerk)
    if not value:
        messages.info(request, "Es gibt kein gültiges Einmalpasswort. Setzen Sie zuerst ein neues Einmalpasswort.")
        return redirect("clerks:detail", pk=clerk.pk)
    services.record_handover_slip(clerk=clerk, by=request.user)
    context = {"clerk": clerk, "otp_value": value, "administrator": request.user, "now_de": _today_de()}
    return render(request, "clerks/handover_slip.html", context)


# --- Berechtigungsübersicht ------------------------------------------------------------------------------------

OVERVIEW_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = {"csv": ("text/csv; charset=utf-8", "csv"), "xlsx": (XLSX, "xlsx")}


@administrator_only
@require_safe
def overview(request):
    """Who may work on which of my billing units, since when, granted by whom, last confirmed when; also as CSV
    and XLSX (audited), exactly the rows of the page's filter."""
    units = BillingUnit.objects.visible_to(request.user).only(*UNIT_FIELDS).order_by("number")
    form = OverviewFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    grants = overview_rows(by=request.user, unit=filters.get("unit"), status=filters.get("status"))
    export = request.GET.get("format")
    if export in EXPORTS:
        content_type, suffix = EXPORTS[export]
        body = overview_export.as_csv(grants) if export == "csv" else overview_export.as_xlsx(grants)
        services.record_overview_export(by=request.user, export=export, filters=filters)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="berechtigungen-{timezone.localdate():%Y-%m-%d}.{suffix}"'
        )
        return response
    page = Paginator(grants, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "clerks/overview.html", {"form": form, "page": page, "query": query.urlencode()})


# --- Einstellungen --------------------------------------------------------------------------------------------


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def notice_settings(request):
    form = NoticeSettingsForm(request.POST or None, initial={"notices": request.user.notices})
    if request.method == "POST" and form.is_valid():
        services.set_notice_preference(by=request.user, value=form.cleaned_data["notices"])
        messages.success(request, "Ihre Einstellungen wurden gespeichert.")
        return redirect("clerks:settings")
    return render(request, "clerks/settings.html", {"form": form})


# --- Änderungsprotokoll ------------------------------------------------------------------------------------------


@administrator_only
@require_safe
def protocol(request):
    """Every change of the administrator's members: who, what, when and the values; filterable, paginated, CSV."""
    administrators = User.objects.visible_to(request.user).administrators().order_by("last_name", "first_name")
    form = ProtocolFilterForm(request.GET or None, administrators=administrators)
    filters = form.cleaned_data if form.is_valid() else {}
    found = protocol_entries(by=request.user, **{k: v for k, v in filters.items() if v not in (None, "")})
    if request.GET.get("format") == "csv":
        services.record_protocol_export(by=request.user)
        response = HttpResponse(protocol_export.as_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="aenderungsprotokoll-{timezone.localdate():%Y-%m-%d}.csv"'
        )
        return response
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "clerks/protocol.html", {"form": form, "page": page, "query": query.urlencode()})


# --- Berechtigungen bestätigen (the yearly review) ------------------------------------------------------------


def _review(request, member_pk):
    reviews = AccessReview.objects.visible_to(request.user).filter(member_id=member_pk).select_related("member")
    found = reviews.order_by("-year").first()
    if found is None:
        raise Http404("Keine Überprüfung Ihrer Mitglieder.")
    return found


@administrator_only
@require_safe
def review(request, member_pk):
    """The review page: every person of the member with its units, status and last login; per person "bestätigen"
    or "Berechtigung entziehen", and "alle unveränderten bestätigen" for the page shown."""
    current = _review(request, member_pk)
    members = Membership.objects.visible_to(request.user).filter(member_id=member_pk).values("user_id")
    people = (
        User.objects.visible_to(request.user)
        .filter(pk__in=members)
        .exclude(status=Status.LOCKED)
        .only(*LIST_FIELDS, "last_login")
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    units, _lockable = _units_by_user(page.object_list, request.user)
    confirmed = {
        c.user_id: c for c in current.confirmations.filter(user__in=page.object_list).select_related("confirmed_by")
    }
    for person in page.object_list:
        person.units = units.get(person.pk, [])
        person.confirmation = confirmed.get(person.pk)
    context = {"review": current, "page": page, "reason": review_service.REVIEW_REASON}
    return render(request, "clerks/review.html", context)


@administrator_only
@require_POST
def review_confirm(request, member_pk, pk):
    current = _review(request, member_pk)
    person = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    try:
        done = review_service.confirm(review=current, users=[person], by=request.user)
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        if done:
            messages.success(request, f"Die Berechtigung von {person.first_name} {person.last_name} ist bestätigt.")
    return _back_to_review(request, member_pk)


@administrator_only
@require_POST
def review_confirm_page(request, member_pk):
    current = _review(request, member_pk)
    ids = [value for value in request.POST.getlist("users") if value.isascii() and value.isdigit()]
    people = list(User.objects.visible_to(request.user).filter(pk__in=ids))
    try:
        done = review_service.confirm(review=current, users=people, by=request.user)
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{len(done)} Berechtigung(en) bestätigt.")
    return _back_to_review(request, member_pk)


def _back_to_review(request, member_pk):
    page = request.POST.get("page", "")
    url = reverse("clerks:review", args=[member_pk])
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


# --- §5 +/- Zuordnen ----------------------------------------------------------------------------

# The field of the second "Speichern" that takes a clerk's last billing unit.
CONFIRM_NO_UNIT = "ohne_abrechnungsstelle"


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def assign(request, pk):
    clerk = _clerk(request, pk)
    units = services.assignable_units(clerk=clerk, by=request.user).only(*UNIT_FIELDS).order_by("number")
    granted = Grant.objects.visible_to(request.user).filter(clerk=clerk, billing_unit__in=units)
    granted = granted.values_list("billing_unit_id", flat=True)
    form = UnitsForm(
        request.POST if request.method == "POST" else None,
        units=units,
        require_one=False,
        initial={"units": list(granted)},
    )
    if "toggle_all" in request.POST:
        form = UnitsForm(units=units, require_one=False, initial={"units": _toggled(request, units)})
    elif request.method == "POST" and form.is_valid():
        unit_ids = [u.pk for u in form.cleaned_data["units"]]
        if CONFIRM_NO_UNIT not in request.POST and services.leaves_without_units(
            clerk=clerk, by=request.user, unit_ids=unit_ids
        ):
            return render(request, "clerks/clerk_assign_none.html", {"clerk": clerk, "confirm": CONFIRM_NO_UNIT})
        try:
            change = services.set_grants(clerk=clerk, by=request.user, unit_ids=unit_ids)
        except DomainError as error:
            _refuse(form, error)
        else:
            changed = change["added"] or change["removed"]
            if changed:
                _remember_saved(request, "assign", clerk)
            messages.success(
                request,
                "Die Berechtigungen wurden gespeichert." if changed else "Es wurden keine Änderungen vorgenommen.",
            )
            return redirect("clerks:detail", pk=clerk.pk)
    context = {
        "clerk": clerk,
        "form": form,
        "already_saved": "" if form.is_bound else _already_saved(request, "assign", clerk),
    }
    return render(request, "clerks/clerk_assign.html", context)


# --- §6 Einmalpasswort setzen ---------------------------------------------------------------------


def _to_fresh_otp(request, clerk):
    """After "Einmalpasswort setzen" or a "Berechtigung erteilen" that set one: the Detailansicht shows the new
    one-time password above everything else, and the browser goes straight to it."""
    request.session[FRESH_OTP] = clerk.pk
    return redirect(reverse("clerks:detail", args=[clerk.pk]) + f"#{FRESH_OTP_ANCHOR}")


def _credential_action(request, pk, *, refused: str, act, done: str, template: str, sets_otp: bool = False):
    """A credential action on a clerk (DESIGN §8): a confirmation page on GET for whom may handle the clerk's
    credentials (the others go back to the Detailansicht with the reason), the service on POST, which checks
    the same rule again under its locks."""
    clerk = _clerk(request, pk)
    if request.method != "POST" and not authority.may_handle_credentials(by=request.user, target=clerk):
        messages.error(request, refused)
        return redirect("clerks:detail", pk=clerk.pk)
    if request.method == "POST":
        try:
            act(clerk=clerk, by=request.user)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, done)
            if sets_otp:
                return _to_fresh_otp(request, clerk)
        return redirect("clerks:detail", pk=clerk.pk)
    return render(request, template, {"clerk": clerk})


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def reset_otp(request, pk):
    return _credential_action(
        request,
        pk,
        refused=authority.REFUSED,
        act=services.reset_otp,
        done="Ein neues Einmalpasswort wurde gesetzt. Teilen Sie es dem Sachbearbeiter mit.",
        template="clerks/clerk_reset_otp.html",
        sets_otp=True,
    )


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def reset_factor(request, pk):
    """Zweiten Faktor zurücksetzen: a confirmation page, then the reset (the same authority as the one-time password)."""
    return _credential_action(
        request,
        pk,
        refused=authority.REFUSED_FACTOR,
        act=services.reset_second_factor,
        done="Der zweite Faktor wurde zurückgesetzt. Der Sachbearbeiter bestätigt seine nächste Anmeldung an jedem "
        "Computer wieder mit einem Code per E-Mail.",
        template="clerks/clerk_reset_factor.html",
    )


# --- §7.1 Sachbearbeiter: Berechtigung entziehen / erteilen ---------------------------------------


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def lock(request, pk):
    clerk = _clerk(request, pk)
    refusal = services.lock_refusal(clerk=clerk, by=request.user) if request.method != "POST" else None
    if refusal:  # no reason to ask for: say why at once (the POST is refused by the service alike)
        messages.error(request, refusal)
        return redirect("clerks:detail", pk=clerk.pk)
    form = LockReasonForm(
        request.POST if request.method == "POST" else None, initial={"reason": request.GET.get("grund", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lock_clerk(clerk=clerk, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Dem Sachbearbeiter wurde die Berechtigung entzogen.")
        return redirect("clerks:detail", pk=clerk.pk)
    return render(request, "clerks/lock_reason.html", {"target": clerk, "form": form})


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def unlock(request, pk, lock_pk):
    clerk = _clerk(request, pk)
    member_lock = get_object_or_404(MemberLock.objects.visible_to(request.user).filter(clerk=clerk), pk=lock_pk)
    if not member_lock.is_open:  # e.g. a colleague lifted it a moment ago
        messages.info(request, lock_collisions.already_lifted(lock=member_lock, by=request.user))
        return redirect("clerks:detail", pk=clerk.pk)
    if not authority.may_lift(lock=member_lock, by=request.user):
        messages.error(request, lock_collisions.lift_refused(lock=member_lock, by=request.user))
        return redirect("clerks:detail", pk=clerk.pk)
    if request.method == "POST":
        try:
            value = services.restore_clerk(lock=member_lock, by=request.user)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Die Berechtigung wurde erteilt.")
            if value and authority.may_handle_credentials(by=request.user, target=clerk):
                messages.info(request, "Teilen Sie dem Sachbearbeiter das neu generierte Einmalpasswort mit.")
                return _to_fresh_otp(request, clerk)
            if value:
                messages.info(request, NEW_OTP_ELSEWHERE)
        return redirect("clerks:detail", pk=clerk.pk)
    return render(request, "clerks/clerk_unlock.html", {"clerk": clerk, "lock": member_lock})


# --- A co-administrator's page ----------------------------------------------------------------------------------


@administrator_only
@require_safe
def administrator(request, pk):
    """A co-administrator: contact data, its registration for my members, status, the locks that ended a
    registration (reason, by whom), its history; "Berechtigung entziehen" from here too."""
    person = _administrator(request, pk)
    registration = (
        BillingUnit.objects.of_members_visible_to(request.user)
        .filter(administrators=person)
        .select_related("member")
        .order_by("number")
    )
    history = (
        AuditEntry.objects.visible_to(request.user)
        .filter(target=person)
        .only("created_at", "actor_label", "action", "data", "member")
        .order_by("-created_at", "-pk")[:HISTORY_ROWS]
    )
    # Every ended registration with its reason, however long the history has grown since.
    locks = (
        AuditEntry.objects.visible_to(request.user)
        .filter(target=person, action="administrator.locked")
        .only("created_at", "actor_label", "action", "data", "member")
        .order_by("-created_at", "-pk")
    )
    _units, lockable = _units_by_user([person], request.user)
    context = {
        "person": person,
        "registration": registration,
        "history": history,
        "locks": locks,
        "can_lock": person.pk in lockable and not person.is_locked,
    }
    return render(request, "clerks/administrator_detail.html", context)


# --- §7.2 Administrator: Berechtigung entziehen ---------------------------------------------------


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def lock_administrator(request, pk):
    """Step b: the reason. A valid reason leads to the confirmation page of step c."""
    administrator = _administrator(request, pk)
    form = LockReasonForm(
        request.POST if request.method == "POST" else None, initial={"reason": request.GET.get("grund", "")}
    )
    if request.method == "POST" and form.is_valid():
        context = {
            "target": administrator,
            "form": form,
            "plan": services.administrator_lock_plan(administrator=administrator, by=request.user),
            "is_self": administrator.pk == request.user.pk,
        }
        return render(request, "clerks/administrator_lock_confirm.html", context)
    return render(request, "clerks/lock_reason.html", {"target": administrator, "form": form})


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def lock_administrator_confirm(request, pk):
    """Step c: "Berechtigung entziehen" once more, then the administrator is Gesperrt for good."""
    administrator = _administrator(request, pk)
    form = LockReasonForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return redirect("clerks:lock_administrator", pk=administrator.pk)
    try:
        services.lock_administrator(administrator=administrator, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.messages[0])
        return redirect(listing.list_url(request))
    if administrator.pk == request.user.pk:
        logout(request)
        messages.info(request, "Sie haben sich selbst die Berechtigung entzogen und wurden abgemeldet.")
        return redirect("accounts:login")
    administrator.refresh_from_db(fields=["status", "is_active"])
    if administrator.is_locked:
        messages.success(request, "Dem Administrator wurde die Berechtigung entzogen.")
    else:
        messages.success(
            request,
            "Dem Administrator wurde die Berechtigung für Ihre Abrechnungsstellen entzogen. Für seine übrigen "
            "Registrierungen bleibt er Administrator.",
        )
    return redirect(listing.list_url(request))
