"""What "Verwaltung der Benutzer" shows beside the list — "Handlungsbedarf", the open yearly reviews, the hint to
register a second administrator, the billing units of its filter — changes seldom and is read on every page of the list. It is computed once per
administrator and kept in the local-memory cache for as long as

- no member of the administrator's registration has changed: every audit entry that changes a member's user
  administration moves that member's row of `audit.models.MemberChange` in the same transaction, whichever app
  server wrote it, and the list reads those rows in one query (a change by anyone shows on the next page);
- and no longer than PANELS_CACHE_SECONDS: what changes with time alone (a one-time password about to expire, a
  clerk turning dormant, a login of a dormant clerk, untrusted clients refused for an account) shows within it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from audit.models import MemberChange
from base.kept_html import CSRF_SLOT
from billing_units.models import BillingUnit
from clerks import attention, review, services


@dataclass(frozen=True)
class Panels:
    # Handlungsbedarf: its entries (at least, where capped), and its kinds with their entries as HTML, with
    # CSRF_SLOT for the page's token.
    attention_count: int
    attention_capped: bool
    attention_kinds: str
    open_reviews: list
    single_administrator_members: list
    own_units: list  # (pk, number, name) of the registration's billing units: the filter "Abrechnungsstelle"


def _computed(by) -> Panels:
    groups = attention.groups(by=by)
    return Panels(
        own_units=list(BillingUnit.objects.visible_to(by).order_by("number").values_list("pk", "number", "name")),
        attention_count=sum(len(group.entries) for group in groups),
        attention_capped=any(group.capped for group in groups),
        attention_kinds=render_to_string(
            "clerks/_attention_kinds.html", {"attention": groups, "csrf_input": CSRF_SLOT}
        ),
        open_reviews=review.open_reviews_for(by),
        single_administrator_members=services.members_with_a_single_administrator(by=by),
    )


def for_list(*, by) -> Panels:
    """The panels of `by`'s list, computed anew only where a member of its registration changed since, or after
    PANELS_CACHE_SECONDS."""
    changes = MemberChange.stamps(by.member_ids)
    key = f"clerks.panels:{by.pk}"
    kept = cache.get(key)
    if kept is not None and kept[0] == (tuple(by.member_ids), changes):
        return kept[1]
    panels = _computed(by)
    cache.set(key, ((tuple(by.member_ids), changes), panels), settings.PANELS_CACHE_SECONDS)
    return panels
