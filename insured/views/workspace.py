"""The clerk's workspace: the start page with what waits, "Versicherte", a Versicherter's page with its
Versicherungsverlauf, and "Meldungen". Every query starts from `visible_to(request.user)`: the clerk's active grants
at this request. Every page that shows a person's data logs the read (`insured.access_log`)."""

from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from accounts.decorators import role_required
from accounts.models import Membership, Role
from billing_units.models import BillingUnit
from insured.access_log import reads_logged, record_reads
from insured.forms import PersonSearchForm, ReportFilterForm
from insured.models import Employment, InsuredPerson, Page, Report, ReportStatus, Section
from insured.search import search_employments, words

clerk_only = role_required(Role.CLERK)
PAGE_SIZE = 50
PAGES_READ_AT_ONCE = 1000  # a search's page up to here is read with its count (_page_with_its_count)
# The columns the Versicherungsverlauf shows: a Section, its unit's number and its Meldung's kind.
SECTION_COLUMNS = ("start", "end", "booking_key", "pay", "contribution", "billing_unit__number", "report__kind")
# The columns the Meldungen table (insured/_report_table.html) shows of a Meldung, the one it corrects (its kind
# and subject), its unit and who wrote and sent it.
REPORT_COLUMNS = (
    *("kind", "status", "year", "start", "end", "created_at", "submitted_at", "person_id", "corrects_id"),
    *("corrects__kind", "corrects__year", "corrects__start", "corrects__end", "corrects__corrects_id"),
    *("billing_unit__number", "billing_unit__name"),
    *(f"{user}__{field}" for user in ("created_by", "submitted_by") for field in ("first_name", "last_name", "email")),
)


def person_or_404(request, pk) -> InsuredPerson:
    return get_object_or_404(InsuredPerson.objects.visible_to(request.user), pk=pk)


def _count(queryset):
    counted = queryset.order_by().values("billing_unit").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@clerk_only
@require_safe
def start(request):
    """Meine Abrechnungsstellen: the units the clerk may work on with their number of Versicherte and the Meldungen
    that wait (erfasst, not yet sent; zurückgewiesen), and whom to call: its administrators."""
    reports = Report.objects.visible_to(request.user).filter(billing_unit=OuterRef("pk"))
    units = list(
        BillingUnit.objects.visible_to(request.user)
        .select_related("member")
        .annotate(
            persons=_count(Employment.objects.visible_to(request.user).filter(billing_unit=OuterRef("pk"))),
            drafts=_count(reports.filter(status=ReportStatus.DRAFT)),
            rejected=_count(reports.filter(status=ReportStatus.REJECTED)),
        )
        .order_by("number")
    )
    waiting = {"drafts": sum(u.drafts for u in units), "rejected": sum(u.rejected for u in units)}
    administrators = Membership.objects.contacts_visible_to(request.user)
    context = {"units": units, "waiting": waiting, "administrators": administrators}
    return render(request, "insured/start.html", context)


@clerk_only
@require_safe
def persons(request):
    """Versicherte: the persons of every unit the clerk is granted, filtered by unit, searched by name (umlauts
    folded), Versicherungsnummer or Personalnummer, 50 to a page."""
    units = list(BillingUnit.objects.visible_to(request.user).order_by("number").values_list("pk", "number", "name"))
    form = PersonSearchForm(request.GET or None, units=units)
    rows = Employment.objects.visible_to(request.user, granted=[pk for pk, _number, _name in units])
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("unit"):
        rows = rows.filter(billing_unit_id=filters["unit"])
    searched = filters.get("q") or ""
    rows = search_employments(rows, searched)
    rows = rows.select_related("person", "billing_unit").order_by("sort_name", "person_id", "billing_unit_id")
    if words(searched):
        page = _page_with_its_count(rows, request.GET.get("page"))
    else:
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_reads(request, Page.PERSONS, [(row.person_id, row.billing_unit_id) for row in page.object_list])
    query = urlencode([(key, request.GET[key][:100]) for key in ("q", "unit") if request.GET.get(key)])
    return render(request, "insured/person_list.html", {"form": form, "page": page, "query": query})


def _page_with_its_count(rows, number):
    """A page of a search's matches and their number in one statement (COUNT(*) OVER ()): a search must read all
    its matches to count them, and the page would read them again. Without a search the two statements stay: the
    first page of a unit then reads 50 rows along the index, never the unit's thousands. A page beyond the last
    (an old link) is answered as Paginator.get_page does, with the last page."""
    paginator = Paginator(rows, PAGE_SIZE)
    try:
        number = int(number or 1)
    except ValueError:
        number = 1  # as Paginator.get_page: not a number is the first page
    if not 1 <= number <= PAGES_READ_AT_ONCE:
        return paginator.get_page(number)  # below 1 or far beyond any unit's end: the last page, counted first
    start = (number - 1) * PAGE_SIZE
    found = list(rows.annotate(matches=Window(Count("*")))[start : start + PAGE_SIZE])
    if not found and number > 1:
        return paginator.get_page(number)
    paginator.count = found[0].matches if found else 0  # Paginator.count is a cached_property: set, never counted
    return paginator._get_page(found, number, paginator)


def verlauf(sections) -> list[dict]:
    """The Versicherungsverlauf by year, newest first, with the year's sums of Entgelt and Umlage/Beitrag."""
    years = []
    for year, in_year in groupby(sections, key=lambda section: section.start.year):
        in_year = list(in_year)
        years.append(
            {
                "year": year,
                "sections": in_year,
                "pay": sum(section.pay for section in in_year),
                "contribution": sum(section.contribution for section in in_year),
            }
        )
    return years


@clerk_only
@require_safe
def person(request, pk):
    """A Versicherter: personal data, the employments at the clerk's units, the Versicherungsverlauf and the
    Meldungen of those units."""
    # The person through its employments at the clerk's units: one query for both, and none is a 404.
    employments = list(
        Employment.objects.visible_to(request.user).filter(person_id=pk).select_related("person", "billing_unit")
    )
    if not employments:
        raise Http404("Kein Versicherter Ihrer Abrechnungsstellen.")
    insured = employments[0].person
    # The person's Abschnitte and Meldungen at the units of these employments, read through visible_to a moment ago.
    granted = {employment.billing_unit_id for employment in employments}
    sections = (
        Section.objects.visible_to(request.user, granted=granted)
        .filter(person=insured)
        .select_related("billing_unit", "report")
        .only(*SECTION_COLUMNS)
        .order_by("-start", "-pk")
    )
    reports = (
        Report.objects.visible_to(request.user, granted=granted)
        .filter(person=insured)
        .select_related("billing_unit", "created_by", "submitted_by", "corrects")
        .only(*REPORT_COLUMNS)
        .order_by("-created_at", "-pk")
    )
    with reads_logged(request, Page.PERSON, [(insured.pk, e.billing_unit_id) for e in employments]):
        years = verlauf(sections)
    context = {"person": insured, "employments": employments, "years": years, "reports": reports}
    return render(request, "insured/person_detail.html", context)


@clerk_only
@require_safe
def reports(request):
    """Meldungen: those of the clerk's units, whoever wrote them, by status and unit; "Übermitteln" for the chosen
    ones that are erfasst."""
    units = BillingUnit.objects.visible_to(request.user).order_by("number")
    form = ReportFilterForm(request.GET or None, units=units)
    rows = Report.objects.visible_to(request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("unit"):
        rows = rows.filter(billing_unit_id=filters["unit"])
    rows = rows.select_related("person", "billing_unit", "created_by", "submitted_by", "corrects").order_by(
        "-changed_at", "-pk"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    with reads_logged(request, Page.REPORTS, [(row.person_id, row.billing_unit_id) for row in page.object_list]):
        counts = dict(
            Report.objects.visible_to(request.user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("*"))
            .filter(Q(status=ReportStatus.DRAFT) | Q(status=ReportStatus.REJECTED))
        )
    query = urlencode([(key, request.GET[key][:100]) for key in ("status", "unit") if request.GET.get(key)])
    context = {"form": form, "page": page, "query": query, "counts": counts, "statuses": ReportStatus}
    return render(request, "insured/report_list.html", context)
