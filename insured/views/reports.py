"""A Meldung's screens: "Neue Meldung" (the kind, then its form), its page, "Bearbeiten", "Löschen" and
"Übermitteln" (one or many, with a confirmation page). "Speichern" keeps a Meldung erfasst; "Speichern und
übermitteln" saves it and asks for the confirmation. The rules are the services'; a broken one is shown beside its
field and nothing is saved."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import DomainError
from insured import services
from insured.access_log import record_reads
from insured.forms import (
    VALUE_FORMS,
    FindPersonForm,
    KindForm,
    section_formset,
    with_another_row,
)
from insured.models import Employment, InsuredPerson, Kind, Page, Report, ReportStatus
from insured.rules import REPORT_FIELDS, ReportInvalid
from insured.views.workspace import clerk_only, person_or_404

SAVED = (
    "Die Meldung wurde gespeichert (Status „erfasst“). Sie ist noch nicht an die Zusatzversorgungskasse übermittelt."
)


def report_or_404(request, pk) -> Report:
    reports = Report.objects.visible_to(request.user).select_related(
        "person", "billing_unit", "corrects", "created_by", "submitted_by"
    )
    return get_object_or_404(reports, pk=pk)


@clerk_only
@require_safe
def find_person(request):
    """ "Neue Meldung" from the list of Meldungen: the person by its Versicherungsnummer, then the kind."""
    form = FindPersonForm(request.GET or None)
    if form.is_valid():
        number = form.cleaned_data["versicherungsnummer"]
        found = InsuredPerson.objects.visible_to(request.user).filter(insurance_number=number).first()
        if found is not None:
            return redirect("insured:report_new", found.pk)
        form.add_error(
            "versicherungsnummer", "Unter Ihren Abrechnungsstellen gibt es keinen Versicherten mit dieser Nummer."
        )
    return render(request, "insured/report_find.html", {"form": form})


def _processed(request, person):
    return (
        Report.objects.visible_to(request.user)
        .filter(person=person, status=ReportStatus.PROCESSED)
        .select_related("corrects")
        .order_by("-decided_at", "-pk")
    )


@clerk_only
@require_safe
def new(request, pk):
    """Step 1 of "Neue Meldung" for a person: the kind (and the unit, the Meldung a Berichtigung corrects)."""
    person = person_or_404(request, pk)
    employments = Employment.objects.visible_to(request.user).filter(person=person).select_related("billing_unit")
    form = KindForm(request.GET or None, employments=employments, processed=_processed(request, person))
    if form.is_valid():
        data = form.cleaned_data
        target = reverse("insured:report_create", args=[person.pk, data["kind"]])
        chosen = (
            {"meldung": data["corrects"]} if data["kind"] == Kind.CORRECTION else {"abrechnungsstelle": data["unit"]}
        )
        return redirect(f"{target}?{urlencode(chosen)}")
    return render(request, "insured/report_new.html", {"person": person, "form": form})


class Editor:
    """The forms of a Meldung of one kind: its own fields and, for a Jahresmeldung, the rows of Abschnitte."""

    def __init__(self, kind: str, *, data=None, report=None, correction=False, blank_rows=1):
        """`report`: the Meldung whose values the form starts from (the one being changed, or the one a
        Berichtigung corrects); `correction`: the year of a Jahresmeldung's Berichtigung is the corrected one's."""
        self.kind = kind
        self.non_field = []
        initial = {name: getattr(report, name) for name in REPORT_FIELDS} if report is not None else None
        form_class = None if correction and kind == Kind.ANNUAL else VALUE_FORMS.get(kind)
        self.form = form_class(data, initial=initial) if form_class is not None else None
        self.sections = None
        if kind == Kind.ANNUAL:
            saved = [
                {"start": s.start, "end": s.end, "booking_key": s.booking_key, "pay": s.pay}
                for s in (report.sections.all() if report is not None else [])
            ]
            self.sections = section_formset(data=data, sections=saved, blank_rows=blank_rows if saved else 2)

    def is_valid(self) -> bool:
        valid = self.form is None or self.form.is_valid()
        return (self.sections is None or self.sections.is_valid()) and valid

    def values(self) -> dict:
        return dict(self.form.cleaned_data) if self.form is not None else {}

    def section_rows(self) -> tuple[list[int], list[dict]]:
        filled = self.sections.sections() if self.sections is not None else []
        return [index for index, _ in filled], [section for _, section in filled]

    def show(self, error: DomainError, rows: list[int]) -> None:
        """Put the services' messages beside their fields (an Abschnitt's beside its row)."""
        if not isinstance(error, ReportInvalid):
            self.non_field = error.messages
            return
        problems = error.problems
        self.non_field = []
        for name, found in problems.fields.items():
            if self.form is not None and name in self.form.fields:
                for message in found:
                    self.form.add_error(name, message)
            else:
                self.non_field += found
        for index, by_field in problems.sections.items():
            form = self.sections.forms[rows[index]]
            for name, found in by_field.items():
                for message in found:
                    form.add_error(name, message)


def _after_save(request, report):
    if "uebermitteln" in request.POST:
        return redirect(f"{reverse('insured:report_submit')}?{urlencode({'meldung': report.pk})}")
    messages.success(request, SAVED)
    return redirect("insured:report", report.pk)


def _chosen(request, person, kind):
    """The unit (or for a Berichtigung the Meldung it corrects) that step 1 chose — without a choice the person's one
    unit at the clerk's units; one not the clerk's is a 404."""
    if kind == Kind.CORRECTION:
        corrects = _processed(request, person).filter(pk=_number(request, "meldung")).first()
        if corrects is None:
            raise Http404
        return corrects.billing_unit, corrects
    employments = Employment.objects.visible_to(request.user).filter(person=person).select_related("billing_unit")
    if _number(request, "abrechnungsstelle"):
        employments = employments.filter(billing_unit_id=_number(request, "abrechnungsstelle"))
    found = list(employments[:2])
    if len(found) != 1:  # none of the clerk's units, or two to choose from in step 1
        raise Http404
    employment = found[0]
    return employment.billing_unit, None


def _number(request, name) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else 0


@clerk_only
@require_http_methods(["GET", "HEAD", "POST"])
def create(request, pk, kind):
    """Step 2 of "Neue Meldung": the form of the kind; "Speichern" keeps it erfasst."""
    person = person_or_404(request, pk)
    if kind not in Kind.values:
        raise Http404
    unit, corrects = _chosen(request, person, kind)
    effective = corrects.effective_kind if corrects is not None else kind
    adding = "abschnitt_hinzufuegen" in request.POST
    data = with_another_row(request.POST) if adding else (request.POST if request.method == "POST" else None)
    editor = Editor(effective, data=data, report=corrects, correction=corrects is not None)
    if request.method == "POST" and not adding and editor.is_valid():
        rows, sections = editor.section_rows()
        try:
            report = services.create_report(
                person=person,
                unit=unit,
                kind=kind,
                values=editor.values(),
                sections=sections,
                corrects=corrects,
                by=request.user,
            )
        except DomainError as error:
            editor.show(error, rows)
        else:
            return _after_save(request, report)
    record_reads(request, Page.REPORT_FORM, [(person.pk, unit.pk)])
    context = {"person": person, "unit": unit, "kind_label": Kind(kind).label, "corrects": corrects, "editor": editor}
    return render(request, "insured/report_form.html", context)


@clerk_only
@require_safe
def detail(request, pk):
    report = report_or_404(request, pk)
    record_reads(request, Page.REPORT, [(report.person_id, report.billing_unit_id)])
    return render(request, "insured/report_detail.html", {"report": report, "sections": report.sections.all()})


@clerk_only
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk):
    """ "Bearbeiten" of a Meldung erfasst, "Korrigieren und erneut übermitteln" of a zurückgewiesene."""
    report = report_or_404(request, pk)
    if not report.can_be_changed:
        messages.error(request, "Diese Meldung ist übermittelt oder verarbeitet und kann nicht mehr bearbeitet werden.")
        return redirect("insured:report", report.pk)
    adding = "abschnitt_hinzufuegen" in request.POST
    data = with_another_row(request.POST) if adding else (request.POST if request.method == "POST" else None)
    editor = Editor(report.effective_kind, data=data, report=report, correction=report.kind == Kind.CORRECTION)
    if request.method == "POST" and not adding and editor.is_valid():
        rows, sections = editor.section_rows()
        try:
            report = services.change_report(report=report, values=editor.values(), sections=sections, by=request.user)
        except DomainError as error:
            editor.show(error, rows)
        else:
            return _after_save(request, report)
    record_reads(request, Page.REPORT_FORM, [(report.person_id, report.billing_unit_id)])
    context = {"report": report, "person": report.person, "unit": report.billing_unit}
    context["kind_label"] = report.get_kind_display()
    context |= {"corrects": report.corrects, "editor": editor}
    return render(request, "insured/report_form.html", context)


@clerk_only
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, pk):
    """ "Löschen" of a Meldung erfasst: a confirmation page, then the deletion."""
    report = report_or_404(request, pk)
    if request.method == "POST":
        try:
            services.delete_report(report=report, by=request.user)
        except DomainError as error:
            messages.error(request, error.messages[0])
            return redirect("insured:report", report.pk)
        messages.success(request, "Die Meldung wurde gelöscht.")
        return redirect("insured:person", report.person_id)
    record_reads(request, Page.REPORT, [(report.person_id, report.billing_unit_id)])
    return render(request, "insured/report_delete.html", {"report": report})


@clerk_only
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request):
    """ "Übermitteln": the chosen Meldungen (?meldung=…) on a confirmation page; POST sends those erfasst."""
    chosen = request.POST.getlist("meldung") if request.method == "POST" else request.GET.getlist("meldung")
    ids = [int(value) for value in chosen[:200] if value.isascii() and value.isdigit() and len(value) < 12]
    found = list(
        Report.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("person", "billing_unit", "corrects")
        .order_by("pk")
    )
    sendable = [report for report in found if report.can_be_submitted]
    if request.method == "POST" and sendable:
        try:
            sent = services.submit_reports(reports=sendable, by=request.user)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{len(sent)} Meldung(en) an die Zusatzversorgungskasse übermittelt.")
            return redirect(f"{reverse('insured:reports')}?status={ReportStatus.SUBMITTED}")
    record_reads(request, Page.REPORT, [(report.person_id, report.billing_unit_id) for report in found])
    context = {"sendable": sendable, "others": [r for r in found if not r.can_be_submitted]}
    return render(request, "insured/report_submit.html", context)
