from django.contrib import admin

from billing_units.models import BillingUnit, Member


class BillingUnitInline(admin.TabularInline):
    model = BillingUnit
    extra = 0
    fields = ["number", "name"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "city"]
    search_fields = ["number", "name"]
    inlines = [BillingUnitInline]


@admin.register(BillingUnit)
class BillingUnitAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "member"]
    search_fields = ["number", "name", "member__number", "member__name"]
    list_select_related = ["member"]
    list_filter = [("member", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["member"]
