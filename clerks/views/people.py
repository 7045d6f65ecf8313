"""Verwaltung der Benutzer (the list, manual §2) and a co-administrator's page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.models import DomainError, User
from audit.models import AuditEntry
from billing_units.models import BillingUnit
from clerks import attention, listing, panels
from clerks.forms import (
    SORTS,
    UserFilterForm,
)
from clerks.models import AttentionKind
from clerks.views.common import (
    HISTORY_ROWS,
    LIST_FIELDS,
    PAGE_SIZE,
    administrator_only,
    administrator_or_404,
    clerk_or_404,
    units_by_user,
)


@administrator_only
@require_safe
def user_list(request):
    beside = panels.for_list(by=request.user)
    form = UserFilterForm(request.GET or None, units=beside.own_units)
    filters = {}
    if form.is_bound:
        form.is_valid()  # the valid filters apply; an invalid one is shown beside its field and left out
        filters = form.cleaned_data
    memberships = listing.matching(filters, by=request.user)
    listed = _ListedUsers(memberships, request.user, SORTS[filters.get("sort") or "name"])
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    units, lockable = units_by_user(page.object_list, request.user)
    for person in page.object_list:
        person.units = units.get(person.pk, [])
        person.lockable_by_viewer = person.pk in lockable and not person.is_locked
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "single_administrator_members": beside.single_administrator_members,
        "open_reviews": beside.open_reviews,
        "attention_count": beside.attention_count,
        "attention_capped": beside.attention_capped,
        "attention_kinds": beside.attention_kinds,
        # Folded or open as the administrator left it in this browser; left neither way, open, but folded by portal.js
        # on a narrow screen, so that the search and the first results come first.
        "attention_open": request.COOKIES.get(attention.FOLDED_COOKIE) != "zu",
        "attention_chosen_open": request.COOKIES.get(attention.FOLDED_COOKIE) == "auf",
    }
    response = render(request, "clerks/user_list.html", context)
    listing.remember(request, response)
    return response


@administrator_only
@require_POST
def attention_mark(request, pk):
    """ "übergeben" / "erledigt" beside an entry of "Handlungsbedarf": it leaves the administrator's box until the case
    happens again."""
    clerk = clerk_or_404(request, pk)
    kind = request.POST.get("kind", "")
    try:
        attention.mark(clerk=clerk, kind=kind, by=request.user)
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        what = "als übergeben markiert" if kind == AttentionKind.HANDOVER else "als erledigt markiert"
        messages.success(
            request,
            f"„{AttentionKind(kind).label}“ für {clerk.first_name} {clerk.last_name} {what}. Der Eintrag erscheint "
            "wieder, wenn der Fall erneut eintritt.",
        )
    return redirect(listing.list_url(request))


class _ListedUsers:
    """What the list's paginator pages through: the users behind the administrator's memberships, in list
    order. Counted and cut into pages on the memberships' copy of the name (a member's index entries, never
    the whole user table); the page's users are then loaded by the keys of those memberships, which come from
    visible_to (asking visible_to again cost the statement a semi-join over all of the member's memberships),
    one query per page."""

    def __init__(self, memberships, by, sort):
        self.memberships, self.by, self.sort = memberships.first_per_user(by), by, sort

    def count(self) -> int:
        return self.memberships.count()

    def __getitem__(self, page: slice) -> list[User]:
        keys = self.memberships.order_by(*self.sort["key"]).values("user_id")[page]
        users = User.objects.filter(pk__in=keys).only(*LIST_FIELDS)
        return list(users.order_by(*self.sort["users"]))


# --- A co-administrator's page ----------------------------------------------------------------------------------


@administrator_only
@require_safe
def administrator(request, pk):
    """A co-administrator: contact data, its registration for my members, status, the locks that ended a
    registration (reason, by whom), its history; "Berechtigung entziehen" from here too."""
    person = administrator_or_404(request, pk)
    registration = (
        BillingUnit.objects.of_members_visible_to(request.user)
        .filter(administrators=person)
        .select_related("member")
        .order_by("number")
    )
    history = AuditEntry.objects.history_visible_to(request.user, person, limit=HISTORY_ROWS)
    # Every ended registration with its reason, however long the history has grown since.
    locks = AuditEntry.objects.history_visible_to(request.user, person, action="administrator.locked")
    _units, lockable = units_by_user([person], request.user)
    context = {
        "person": person,
        "registration": registration,
        "history": history,
        "locks": locks,
        "can_lock": person.pk in lockable and not person.is_locked,
    }
    return render(request, "clerks/administrator_detail.html", context)
