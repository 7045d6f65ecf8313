"""Verwaltung der Benutzer: the administrator's screens of the manual, §2 to §7, one module per screen family.

Every object is loaded through a `visible_to(request.user)` queryset, so another member's user is a 404;
every change is a POST that calls one service and answers with a message and a redirect.
"""

from clerks.views.create import create, create_units, created
from clerks.views.detail import detail, handover_slip, personal_data, reset_factor, reset_otp
from clerks.views.grants import assign
from clerks.views.locks import lock, lock_administrator, lock_administrator_confirm, unlock
from clerks.views.people import administrator, attention_mark, user_list
from clerks.views.reports import notice_settings, overview, protocol, review, review_confirm, review_confirm_page

__all__ = [
    "administrator",
    "assign",
    "attention_mark",
    "create",
    "create_units",
    "created",
    "detail",
    "handover_slip",
    "lock",
    "lock_administrator",
    "lock_administrator_confirm",
    "notice_settings",
    "overview",
    "personal_data",
    "protocol",
    "reset_factor",
    "reset_otp",
    "review",
    "review_confirm",
    "review_confirm_page",
    "unlock",
    "user_list",
]
