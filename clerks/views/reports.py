"""The administrator's overviews: the Berechtigungsübersicht (CSV, XLSX), the Änderungsprotokoll (CSV), the
yearly review "Berechtigungen bestätigen" and the notice settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import DomainError, User
from billing_units.models import BillingUnit
from clerks import overview as overview_export
from clerks import protocol as protocol_export
from clerks import review as review_service
from clerks import services
from clerks.forms import (
    NoticeSettingsForm,
    OverviewFilterForm,
    ProtocolFilterForm,
    ReviewFilterForm,
)
from clerks.models import AccessReview
from clerks.overview import rows as overview_rows
from clerks.protocol import entries as protocol_entries
from clerks.views.common import (
    PAGE_SIZE,
    UNIT_FIELDS,
    administrator_only,
    units_by_user,
)
from exports import spreadsheets

# --- Berechtigungsübersicht ------------------------------------------------------------------------------------

OVERVIEW_PAGE_SIZE = 100
EXPORTS = ("csv", "xlsx")


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
        body = overview_export.as_csv(grants) if export == "csv" else overview_export.as_xlsx(grants)
        if request.method == "GET":  # a HEAD request takes nothing out of the portal
            services.record_overview_export(by=request.user, export=export, filters=filters)
        return spreadsheets.attachment(body, kind=export, name="berechtigungen")
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    if export == "print":  # every row of the filter, not one page: a printout, audited as an export is
        if request.method == "GET":
            services.record_overview_export(by=request.user, export="print", filters=filters)
        context = {"grants": grants, "filters": overview_export.filters_described(filters), "now": timezone.now()}
        context["back"] = f"{reverse('clerks:overview')}?{query.urlencode()}"
        return render(request, "clerks/overview_print.html", context)
    page = Paginator(grants, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
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
    administrators = User.objects.visible_to(request.user).administrators().order_by("name_key", "pk")
    units = BillingUnit.objects.visible_to(request.user).order_by("number")
    form = ProtocolFilterForm(request.GET or None, administrators=administrators, units=units)
    filters = {}
    if form.is_bound:
        form.is_valid()  # the valid filters apply; an invalid one is shown beside its field and left out
        filters = form.cleaned_data
    found = protocol_entries(by=request.user, **{k: v for k, v in filters.items() if v not in (None, "")})
    if request.GET.get("format") == "csv":
        if request.method == "GET":
            services.record_protocol_export(by=request.user)
        return spreadsheets.attachment(protocol_export.as_csv(found), kind="csv", name="aenderungsprotokoll")
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
    """The review page: every person of the member (or of one of the administrator's units) with its units, status
    and last login; per person "bestätigen" or "Berechtigung entziehen", and "alle unveränderten bestätigen" for the
    page shown. How far the review has come stands above."""
    current = _review(request, member_pk)
    units = BillingUnit.objects.visible_to(request.user).filter(member_id=member_pk).order_by("number")
    form = ReviewFilterForm(request.GET or None, units=units)
    unit = form.cleaned_data.get("unit") if form.is_bound and form.is_valid() else None
    progress = review_service.progress(current, by=request.user, unit=unit)
    people = _Counted(review_service.listed(current, by=request.user, unit=unit), progress.listed)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    units_of, _lockable = units_by_user(page.object_list, request.user)
    rows = list(page.object_list)
    for index, person in enumerate(rows):
        person.units = units_of.get(person.pk, [])
        # where the page continues after this person's "bestätigen": the next row still to be confirmed
        person.next_open = next((p.pk for p in rows[index + 1 :] if _open(p, request.user)), None)
    context = {"review": current, "page": page, "form": form, "unit": unit, "progress": progress}
    context |= {"query": urlencode({"unit": unit.pk}) if unit else "", "reason": review_service.REVIEW_REASON}
    return render(request, "clerks/review.html", context)


def _open(person, by) -> bool:
    return person.confirmed_at is None and person.pk != by.pk


class _Counted:
    """A queryset with its count known already (from the review's progress): the paginator asks no second time."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, page: slice) -> list:
        return list(self.queryset[page])


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
    """Back to where the administrator was: the same page and unit filter, at the next row still to be confirmed
    (or the end of the page)."""
    kept = {key: request.POST.get(key, "") for key in ("unit", "page")}
    query = urlencode({key: value for key, value in kept.items() if value.isascii() and value.isdigit()})
    following = request.POST.get("next", "")
    anchor = f"person-{following}" if following.isascii() and following.isdigit() else "seitenende"
    url = reverse("clerks:review", args=[member_pk])
    return redirect(f"{url}?{query}#{anchor}" if query else f"{url}#{anchor}")
