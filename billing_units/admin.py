from django.contrib import admin
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from accounts.models import unlocked_q
from billing_units.models import BillingUnit, Member


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline shows its labels only as column headings, which are not tied to the inputs
    (axe: label; WCAG 1.3.1, 4.1.2): each input gets its field's label as aria-label."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            if field.label:
                field.widget.attrs.setdefault("aria-label", str(field.label))


class BillingUnitInline(admin.TabularInline):
    model = BillingUnit
    formset = LabelledInlineFormSet
    extra = 0
    fields = ["number", "name"]


class ActiveAdministratorsFilter(admin.SimpleListFilter):
    """Members with no or a single administrator that is not Gesperrt: where the fund should ask for a second one."""

    title = "aktive Administratoren"
    parameter_name = "administratoren"

    def lookups(self, request, model_admin):
        return [("0", "keiner"), ("1", "einer"), ("2", "mehrere")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "0":
            return queryset.filter(active_administrators=0)
        if value == "1":
            return queryset.filter(active_administrators=1)
        if value == "2":
            return queryset.filter(active_administrators__gte=2)
        return queryset


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "city", "active_administrators_display"]
    list_filter = [ActiveAdministratorsFilter]
    search_fields = ["number", "name"]
    inlines = [BillingUnitInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_administrators=Count(
                    "billing_units__administrators",
                    filter=unlocked_q("billing_units__administrators__"),
                    distinct=True,
                )
            )
        )

    @admin.display(description="aktive Administratoren", ordering="active_administrators")
    def active_administrators_display(self, obj):
        return obj.active_administrators


@admin.register(BillingUnit)
class BillingUnitAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "member"]
    search_fields = ["number", "name", "member__number", "member__name"]
    list_select_related = ["member"]
    list_filter = [("member", admin.RelatedOnlyFieldListFilter)]
    # A plain <select> for the member: Django's select2 search (autocomplete_fields) leaves its combobox and
    # textbox without an accessible name (axe: aria-input-field-name, WCAG 4.1.2); the browser's own select
    # is labelled and searchable by typing the member number.

    def get_readonly_fields(self, request, obj=None):
        # A billing unit stays with the member it was created for: the grants, locks and registrations on it
        # were given by that member's administrators. Moving one would hand them to another member.
        if obj is not None:
            return [*super().get_readonly_fields(request, obj), "member"]
        return super().get_readonly_fields(request, obj)
