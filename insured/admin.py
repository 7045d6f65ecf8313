"""The clerk's workspace for fund staff: the Versicherte with their employments and Verlauf; the Meldungen with
"Verarbeiten" and "Zurückweisen" (per Meldung on its page and in bulk from the list, each with a confirmation page,
each a service with its audit entry); the access log, to filter by person, year and unit and to download as CSV."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from accounts.models import DomainError
from accounts.spelling import fold
from audit import log as audit
from base.admin import ReadOnlyAdmin
from billing_units.models import BillingUnit
from exports.spreadsheets import as_csv, attachment
from insured import services
from insured.access_log import record_reads
from insured.formats import euro
from insured.models import (
    AccessLogEntry,
    Employment,
    InsuredPerson,
    Page,
    Report,
    ReportSection,
    ReportStatus,
    Section,
)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Grund der Zurückweisung",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Der Sachbearbeiter liest ihn bei der Meldung und korrigiert sie.",
        error_messages={"required": "Bitte geben Sie einen Grund für die Zurückweisung an."},
    )


def persons_matching(term: str):
    """Persons by a spelling of their name (umlauts folded), or by the beginning of their Versicherungsnummer."""
    found = InsuredPerson.objects.all()
    for word in term.replace(",", " ").split()[:5]:
        found = found.filter(Q(search_name__contains=fold(word)) | Q(insurance_number__startswith=word))
    return found


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    can_delete = False
    fields = ["billing_unit", "personnel_number", "start", "end"]
    autocomplete_fields = []
    raw_id_fields = ["billing_unit"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    can_delete = False
    fields = ["start", "end", "booking_key", "pay_display", "contribution_display", "billing_unit", "report"]
    readonly_fields = fields
    ordering = ["-start"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Entgelt")
    def pay_display(self, obj):
        return euro(obj.pay)

    @admin.display(description="Umlage/Beitrag")
    def contribution_display(self, obj):
        return euro(obj.contribution)


PERSON_FIELDS = ("insurance_number", "last_name", "first_name", "birth_date")
EMPLOYMENT_FIELDS = ("billing_unit", "personnel_number", "start", "end")


def _shown(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, BillingUnit):
        return value.number
    return str(value)


def _changes(old, new, names) -> dict:
    """{field: [old, new]} of the fields whose shown value differs; `old` None: a new row."""
    changes = {}
    for name in names:
        before = _shown(getattr(old, name)) if old is not None else ""
        after = _shown(getattr(new, name))
        if before != after:
            changes[name] = [before, after]
    return changes


class ReadsLogged:
    """Fund staff's reads are logged as a clerk's are (LOG-11): the page of one person or Meldung, and every person a
    list page shows, each with its billing unit, in one INSERT. Only a GET that shows the page is a read.

    An admin that uses it names its two pages (`list_page`, `object_page`) and says in `reads_of(objects)` which
    pairs of (person id, billing unit id) the shown objects read."""

    list_page: str
    object_page: str

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", None) or {}
        if request.method == "GET" and shown.get("original") is not None:
            record_reads(request, self.object_page, self.reads_of([shown["original"]]))
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        shown = getattr(response, "context_data", None) or {}
        if request.method == "GET" and "cl" in shown:
            record_reads(request, self.list_page, self.reads_of(shown["cl"].result_list))
        return response


@admin.register(InsuredPerson)
class InsuredPersonAdmin(ReadsLogged, admin.ModelAdmin):
    """The fund keeps its Versicherte and their employments here; the Verlauf changes only by processing a
    Meldung. Every save of a person or an employment is an audit entry with old → new values, in the admin's
    transaction; it names no member (administrators see no insured person's data)."""

    list_display = ["insurance_number", "last_name", "first_name", "birth_date"]
    search_fields = ["insurance_number", "last_name", "first_name"]
    inlines = [EmploymentInline, SectionInline]
    show_full_result_count = False
    list_page, object_page = Page.ADMIN_PERSONS, Page.ADMIN_PERSON

    def reads_of(self, objects):
        employments = Employment.objects.filter(person__in=[person.pk for person in objects]).order_by("pk")
        return list(employments.values_list("person_id", "billing_unit_id"))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        old = InsuredPerson.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        changes = _changes(old, obj, PERSON_FIELDS)
        if changes:
            action = "insured.changed" if old is not None else "insured.created"
            audit.record(action, actor=request.user, data={"person": obj.insurance_number, "changes": changes})

    def save_formset(self, request, form, formset, change):
        if formset.model is not Employment:
            return super().save_formset(request, form, formset, change)
        ids = [f.instance.pk for f in formset.forms if f.instance.pk]
        before = {e.pk: e for e in Employment.objects.filter(pk__in=ids).select_related("billing_unit")}
        super().save_formset(request, form, formset, change)
        for employment in formset.new_objects + [e for e, _fields in formset.changed_objects]:
            old = before.get(employment.pk)
            changes = _changes(old, employment, EMPLOYMENT_FIELDS)
            if not changes:
                continue
            data = {"person": employment.person.insurance_number, "unit": employment.billing_unit.number}
            data["changes"] = {
                ("billing_unit" if n == "billing_unit" else f"employment_{n}"): v for n, v in changes.items()
            }
            action = "employment.changed" if old is not None else "employment.created"
            audit.record(action, actor=request.user, data=data)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=persons_matching(search_term).values("pk")), False


class ReportSectionInline(admin.TabularInline):
    model = ReportSection
    extra = 0
    fields = ["start", "end", "booking_key", "pay_display"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Entgelt")
    def pay_display(self, obj):
        return euro(obj.pay)


@admin.register(Report)
class ReportAdmin(ReadsLogged, ReadOnlyAdmin):
    list_display = ["pk", "kind", "subject", "person", "billing_unit", "status", "created_by", "submitted_at"]
    list_filter = ["status", "kind", ("billing_unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__insurance_number", "person__last_name", "person__first_name", "billing_unit__number"]
    list_select_related = ["person", "billing_unit", "created_by", "corrects"]
    fields = [
        "kind",
        "status",
        "person",
        "billing_unit",
        "corrects",
        "year",
        "start",
        "personnel_number",
        "end",
        "deregistration_reason",
        "created_by",
        "created_at",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]
    readonly_fields = fields
    inlines = [ReportSectionInline]
    actions = ["process", "reject"]
    show_full_result_count = False
    list_page, object_page = Page.ADMIN_REPORTS, Page.ADMIN_REPORT

    def reads_of(self, objects):
        return [(report.person_id, report.billing_unit_id) for report in objects]

    @admin.display(description="Betreff")
    def subject(self, obj):
        return obj.subject

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(method)

        return [
            path("<path:object_id>/verarbeiten/", view(self.process_one), name="insured_report_process"),
            path("<path:object_id>/zurueckweisen/", view(self.reject_one), name="insured_report_reject"),
            *super().get_urls(),
        ]

    def _decision(self, request, object_id) -> Report:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def _page(self, report):
        return redirect("admin:insured_report_change", report.pk)

    def _confirmation(self, request, reports, *, title, action, form=None, single=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "reports": reports,
            "form": form,
            "action": action,
            "single": single,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/insured/report/decide.html", context)

    def process_one(self, request, object_id):
        """ "Verarbeiten" on a Meldung's page: a confirmation page on GET, the processing on POST."""
        report = self._decision(request, object_id)
        if report.status != ReportStatus.SUBMITTED:
            self.message_user(request, "Nur eine übermittelte Meldung kann verarbeitet werden.", messages.WARNING)
            return self._page(report)
        if request.method != "POST":
            return self._confirmation(request, [report], title="Meldung verarbeiten", action="process", single=report)
        self._process(request, [report])
        return self._page(report)

    def reject_one(self, request, object_id):
        """ "Zurückweisen" on a Meldung's page: the reason on GET (the confirmation), the rejection on POST."""
        report = self._decision(request, object_id)
        if report.status != ReportStatus.SUBMITTED:
            self.message_user(request, "Nur eine übermittelte Meldung kann zurückgewiesen werden.", messages.WARNING)
            return self._page(report)
        form = RejectForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            self._reject(request, [report], form.cleaned_data["reason"])
            return self._page(report)
        return self._confirmation(
            request, [report], title="Meldung zurückweisen", action="reject", form=form, single=report
        )

    def _process(self, request, reports) -> None:
        done = 0
        for report in reports:
            try:
                services.process_report(report=report, by=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"Meldung Nr. {report.pk}: {error.messages[0]}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} Meldung(en) verarbeitet.")

    def _reject(self, request, reports, reason) -> None:
        done = 0
        for report in reports:
            try:
                services.reject_report(report=report, by=request.user, reason=reason)
                done += 1
            except DomainError as error:
                self.message_user(request, f"Meldung Nr. {report.pk}: {error.messages[0]}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} Meldung(en) zurückgewiesen.")

    @admin.action(description="Verarbeiten")
    def process(self, request, queryset):
        submitted = list(queryset.filter(status=ReportStatus.SUBMITTED).select_related("person", "billing_unit"))
        if request.POST.get("confirmed") == "1":
            self._process(request, submitted)
            return None
        return self._confirmation(request, submitted, title="Meldungen verarbeiten", action="process")

    @admin.action(description="Zurückweisen")
    def reject(self, request, queryset):
        submitted = list(queryset.filter(status=ReportStatus.SUBMITTED).select_related("person", "billing_unit"))
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            self._reject(request, submitted, form.cleaned_data["reason"])
            return None
        return self._confirmation(request, submitted, title="Meldungen zurückweisen", action="reject", form=form)


class YearFilter(admin.SimpleListFilter):
    """The calendar years the access log can hold (the deletion rule keeps the last few), without reading the log."""

    title = "Jahr"
    parameter_name = "jahr"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [
            (str(year), str(year)) for year in range(this_year, this_year - settings.RETENTION_ACCESS_LOG_YEARS - 1, -1)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(created_at__year=int(value))
        return queryset


CSV_HEADER = [
    "Zeitpunkt",
    "Benutzer",
    "E-Mail",
    "Versicherungsnummer",
    "Name",
    "Vorname",
    "Abrechnungsstelle",
    "Seite",
    "Adresse",
]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    """Who read whose data, when (LOG-11): search a person by a spelling of the name or the Versicherungsnummer (or a
    user's e-mail), filter by year, unit and page, and download what is shown as CSV."""

    list_display = ["created_at", "user_display", "insurance_number", "person_name", "billing_unit", "page", "path"]
    list_filter = [YearFilter, "page", ("billing_unit", admin.RelatedFieldListFilter)]
    search_fields = ["person__insurance_number"]
    search_help_text = "Name oder Versicherungsnummer des Versicherten, oder E-Mail des Benutzers"
    list_select_related = ["user", "person", "billing_unit"]
    fields = ["created_at", "user", "person", "billing_unit", "page", "path"]
    readonly_fields = fields
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q(person__in=persons_matching(term).values("pk"))
        if "@" in term:
            match = Q(user__email__icontains=term)
        return queryset.filter(match), False

    @admin.display(description="Benutzer")
    def user_display(self, obj):
        return f"{obj.user.full_name} ({obj.user.email})"

    @admin.display(description="Versicherungsnummer")
    def insurance_number(self, obj):
        return obj.person.insurance_number

    @admin.display(description="Versicherter")
    def person_name(self, obj):
        return f"{obj.person.last_name}, {obj.person.first_name}"

    def changelist_view(self, request, extra_context=None):
        """The change list; with ?format=csv what it shows, as CSV."""
        if request.GET.get("format") == "csv":
            request.GET = request.GET.copy()
            del request.GET["format"]
            return self.download(request)
        query = request.GET.copy()
        query["format"] = "csv"
        return super().changelist_view(request, {**(extra_context or {}), "csv_url": f"?{query.urlencode()}"})

    def download(self, request):
        """The entries the change list shows with its search and filters, as CSV (every cell kept text)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        entries = self.get_changelist_instance(request).get_queryset(request)
        rows = (
            [
                e.created_at,
                e.user.full_name,
                e.user.email,
                e.person.insurance_number,
                e.person.last_name,
                e.person.first_name,
                e.billing_unit.number,
                e.get_page_display(),
                e.path,
            ]
            for e in entries.select_related("user", "person", "billing_unit").iterator(chunk_size=2000)
        )
        body = as_csv(CSV_HEADER, rows)
        audit.record("access_log.exported", actor=request.user, data={"filters": request.GET.urlencode()[:500]})
        return attachment(body, kind="csv", name="zugriffsprotokoll")
