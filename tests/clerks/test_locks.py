"""Berechtigung entziehen / erteilen (manual §7.1, §7.2)."""

import pytest
from django.test import Client

from accounts import otp
from accounts.models import Status
from audit.models import AuditEntry
from clerks import services
from clerks.models import Grant, LockKind, MemberLock
from tests import factories
from tests.helpers import fresh, page_text, post_login
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def granted(clerk):
    return set(Grant.objects.filter(clerk=clerk).values_list("billing_unit__number", flat=True))


# --- §7.1 Sachbearbeiter -----------------------------------------------------------------------------


def test_lock_page_asks_for_a_reason(admin_client, gera_clerk):
    html = admin_client.get(f"/benutzer/{gera_clerk.pk}/sperren/").content.decode()
    assert "Grund für die Sperrung" in html and "Berechtigung entziehen" in html
    empty = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "  "}).content.decode()
    assert "Bitte geben Sie einen Grund für die Sperrung ein." in empty
    too_long = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "x" * 501}).content.decode()
    assert "höchstens 500 Zeichen" in too_long
    assert fresh(gera_clerk).status == Status.ACTIVE
    assert not MemberLock.objects.exists() and not AuditEntry.objects.exists()


def test_lock_shows_success_inactive_and_the_lock_panels(admin_client, gera_clerk, gera_admin):
    browser = Client()
    post_login(browser, gera_clerk, factories.PASSWORD)
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "Elternzeit"}, follow=True)
    html = response.content.decode()
    assert "Dem Sachbearbeiter wurde die Berechtigung entzogen." in html
    assert "Inaktiv" in html and "Gesperrt" in html
    for text in (
        "Benutzersperre",
        "Mitgliedersperre",
        "Sperrgrund",
        "Mitglied",
        "Gesperrt von",
        "Gesperrt am",
        "Berechtigung erteilen",
    ):
        assert text in html, text
    assert "Elternzeit" in html and gera_admin.email in html
    assert browser.get("/start/").status_code == 302  # the clerk's session ended at once
    assert (
        browser.post(
            "/login/", {"role": "clerk", "email": gera_clerk.email, "password": factories.PASSWORD}
        ).status_code
        == 200
    )


def test_unlock_restores_grants_pending_and_a_new_otp(admin_client, gera_clerk, gera_admin):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    confirm = admin_client.get(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/").content.decode()
    assert "Berechtigung erteilen" in confirm
    assert fresh(gera_clerk).status == Status.LOCKED
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/", follow=True)
    html = page_text(response)
    clerk = fresh(gera_clerk)
    assert "Die Berechtigung wurde erteilt." in html
    assert clerk.status == Status.PENDING and clerk.portal_access == "Aktiv"
    assert granted(clerk) == {"002020", "002021"}
    assert otp.readable(clerk) in html
    assert "Elternzeit" in html  # the lifted lock stays in the history
    assert "+/- Zuordnen" in html


def test_unlocking_twice_is_refused_without_an_error_page(admin_client, gera_clerk, gera_admin):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    services.restore_clerk(lock=lock, by=gera_admin)
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/", follow=True)
    assert response.status_code == 200 and "Diese Sperre wurde bereits aufgehoben." in response.content.decode()
    assert AuditEntry.objects.filter(action="clerk.unlocked").count() == 1


def test_pages_answer_head_requests_like_get(admin_client, gera_clerk):
    for url in ("/benutzer/", f"/benutzer/{gera_clerk.pk}/", f"/benutzer/{gera_clerk.pk}/sperren/"):
        assert admin_client.head(url).status_code == 200, url
    assert admin_client.head("/login/").status_code == 302  # logged in: on to the start page, as with GET
    assert Client().head("/login/").status_code == 200


def test_locked_clerk_has_no_entziehen_button_and_assign_is_refused(admin_client, gera_clerk, gera_admin):
    services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    html = admin_client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()
    assert f'href="/benutzer/{gera_clerk.pk}/sperren/"' not in html
    assert "+/- Zuordnen" not in html
    again = admin_client.post(
        f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "noch einmal"}, follow=True
    ).content.decode()
    assert "bereits entzogen" in again
    assert MemberLock.objects.count() == 1


def test_entziehen_is_offered_while_one_of_the_administrators_members_has_not_locked_the_clerk(
    gera_admin, jena_admin, gera_units, jena_units
):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    as_gera, as_jena = Client(), Client()
    as_gera.force_login(gera_admin)
    as_jena.force_login(jena_admin)
    link = f'href="/benutzer/{clerk.pk}/sperren/"'
    [jena_lock] = services.lock_clerk(clerk=clerk, by=jena_admin, reason="nicht mehr für Jena tätig")
    # Jena has nothing left to lock; for Gera the clerk still works, so Gera may still withdraw it
    assert fresh(clerk).status == Status.ACTIVE
    assert link not in as_jena.get(f"/benutzer/{clerk.pk}/").content.decode()
    assert link in as_gera.get(f"/benutzer/{clerk.pk}/").content.decode()
    services.restore_clerk(lock=jena_lock, by=jena_admin)
    assert link in as_jena.get(f"/benutzer/{clerk.pk}/").content.decode()


# --- §7.2 Administrator ----------------------------------------------------------------------------


def test_administrator_lock_needs_reason_and_a_second_confirmation(admin_client, gera_admin2, gera_clerk):
    html = admin_client.get(f"/administratoren/{gera_admin2.pk}/sperren/").content.decode()
    assert "Grund für die Sperrung" in html
    confirm = admin_client.post(f"/administratoren/{gera_admin2.pk}/sperren/", {"reason": "Wechsel ins Bauamt"})
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert "wirklich die Berechtigung entziehen" in text and "Wechsel ins Bauamt" in text
    assert "letzte aktive Administrator" not in text
    assert fresh(gera_admin2).status == Status.ACTIVE  # nothing happened yet
    done = admin_client.post(
        f"/administratoren/{gera_admin2.pk}/sperren/bestaetigen/", {"reason": "Wechsel ins Bauamt"}, follow=True
    )
    assert "Dem Administrator wurde die Berechtigung entzogen." in done.content.decode()
    assert fresh(gera_admin2).status == Status.LOCKED
    assert fresh(gera_clerk).status == Status.ACTIVE
    listing = admin_client.get("/benutzer/").content.decode()
    assert f'href="/administratoren/{gera_admin2.pk}/sperren/"' not in listing  # no second lock, no unlock
    assert "/aufheben/" not in listing


def test_last_administrator_warning_and_self_lock_logs_out_and_cascades(
    admin_client, gera_admin, gera_clerk, jena_clerk
):
    confirm = admin_client.post(f"/administratoren/{gera_admin.pk}/sperren/", {"reason": "Ruhestand"}).content.decode()
    assert "letzte aktive Administrator von 002020 Stadt Gera" in confirm
    assert "sperren sich automatisch auch die Zugänge aller Sachbearbeiter" in confirm
    assert "mindestens ein weiterer Administrator" in confirm
    assert "selbst die Berechtigung" in confirm
    response = admin_client.post(f"/administratoren/{gera_admin.pk}/sperren/bestaetigen/", {"reason": "Ruhestand"})
    assert response.url == "/login/"
    assert admin_client.get("/benutzer/").status_code == 302
    assert fresh(gera_admin).status == Status.LOCKED
    assert fresh(gera_clerk).status == Status.LOCKED
    assert MemberLock.objects.get(clerk=gera_clerk).kind == LockKind.CASCADE
    assert fresh(jena_clerk).status == Status.ACTIVE


def test_confirmation_without_reason_changes_nothing(admin_client, gera_admin2):
    response = admin_client.post(f"/administratoren/{gera_admin2.pk}/sperren/bestaetigen/", {"reason": ""})
    assert response.url == f"/administratoren/{gera_admin2.pk}/sperren/"
    assert admin_client.get(f"/administratoren/{gera_admin2.pk}/sperren/bestaetigen/").status_code == 302
    assert fresh(gera_admin2).status == Status.ACTIVE


def test_clerk_detail_of_a_cascade_lock_names_the_reason(client, gera_admin, gera_admin2, gera_clerk):
    services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    services.lock_administrator(administrator=gera_admin2, by=gera_admin2, reason="Ruhestand")
    lock = MemberLock.objects.get(clerk=gera_clerk)
    assert "letzte Administrator" in lock.reason
    assert fresh(gera_clerk).status == Status.LOCKED


@pytest.mark.parametrize("reason", ["\u200b", " \u200b\u200b ", "\u202e", "\u2066Elternzeit", "Eltern\x07zeit"])
def test_a_reason_nobody_can_read_is_refused_and_locks_nothing(admin_client, gera_clerk, reason):
    """Found by the fuzz tests: a zero-width space counted as the reason for a lock."""
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": reason})
    assert response.status_code == 200
    assert "Bitte geben Sie einen lesbaren Text ein" in response.content.decode()
    assert fresh(gera_clerk).status == Status.ACTIVE and not MemberLock.objects.exists()
    assert not AuditEntry.objects.filter(action="clerk.locked").exists()


def test_a_reason_over_several_lines_with_umlauts_is_fine(admin_client, gera_clerk):
    reason = "Elternzeit bis 31.12.2026\r\nVertretung: Frau Müller"
    assert admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": reason}).status_code == 302
    assert MemberLock.objects.get(clerk=gera_clerk).reason.splitlines() == reason.splitlines()


def test_after_unlocking_the_panels_say_there_is_no_lock_any_more(admin_client, gera_clerk, gera_admin):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    services.restore_clerk(lock=lock, by=gera_admin)
    html = admin_client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()
    assert "Derzeit besteht keine Sperre." in html
    assert "nicht insgesamt gesperrt" not in html


# --- The clerk is told by mail ---------------------------------------------------------------------


def test_the_clerk_is_told_of_the_lock_without_its_reason(admin_client, gera_clerk):
    admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "Verdacht auf Weitergabe"})
    [mail] = deliver_outbox()
    assert mail.to == [gera_clerk.email] and mail.subject == "Berechtigung im Mitgliederportal entzogen"
    assert "das Mitglied 002020 Stadt Gera entzogen" in mail.body
    assert "nicht mehr am Mitgliederportal anmelden" in mail.body
    assert "Verdacht" not in mail.body


def test_berechtigung_erteilen_tells_the_clerk_to_ask_for_the_new_password_but_never_sends_it(
    admin_client, gera_clerk, gera_admin
):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    deliver_outbox()
    admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/")
    [mail] = deliver_outbox()
    assert mail.to == [gera_clerk.email] and mail.subject == "Berechtigung im Mitgliederportal wieder erteilt"
    assert "002020 Stadt Gera wieder erteilt" in mail.body and "neues Einmalpasswort" in mail.body
    assert otp.readable(fresh(gera_clerk)) not in mail.body


def test_a_clerk_still_working_elsewhere_is_told_it_may_go_on(client, gera_admin, shared_clerk):
    deliver_outbox()  # the mail of its creation
    [lock] = services.lock_clerk(clerk=shared_clerk, by=gera_admin, reason="Elternzeit")
    [locked] = deliver_outbox()
    assert "weiterhin wie gewohnt anmelden" in locked.body
    services.restore_clerk(lock=lock, by=gera_admin)
    [restored] = deliver_outbox()
    assert "Sie melden sich wie gewohnt an." in restored.body and "Einmalpasswort" not in restored.body


def test_a_refused_lock_or_unlock_sends_no_mail(admin_client, gera_clerk, gera_admin):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    deliver_outbox()
    admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "noch einmal"})
    services.restore_clerk(lock=lock, by=gera_admin)
    deliver_outbox()
    admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/")
    assert deliver_outbox() == []


def test_a_locked_clerks_detailansicht_names_the_units_berechtigung_erteilen_restores(
    admin_client, gera_admin, gera_units, django_assert_max_num_queries
):
    clerk = factories.ClerkFactory(units=gera_units[:2])
    services.lock_clerk(clerk=clerk, by=gera_admin, reason="Elternzeit")
    admin_client.get(f"/benutzer/{clerk.pk}/")  # warm: the first request after login writes the session once
    # The units come in the query that decides which locks may be lifted: a locked clerk's page costs what it did.
    with django_assert_max_num_queries(11):
        html = page_text(admin_client.get(f"/benutzer/{clerk.pk}/"))
    cell = html.split('data-testid="lock-units">')[1].split("</td>")[0]
    assert (
        f"{gera_units[0].number} {gera_units[0].name}" in cell
        and f"{gera_units[1].number} {gera_units[1].name}" in cell
    )
    assert gera_units[2].number not in cell
    assert "stellt die Berechtigungen für die genannten Abrechnungsstellen wieder her" in html


def test_a_narrower_registration_sees_only_its_own_units_of_the_lock(client, gera_admin, gera_units):
    clerk = factories.ClerkFactory(units=gera_units[:2])
    services.lock_clerk(clerk=clerk, by=gera_admin, reason="Elternzeit")
    narrow = factories.AdministratorFactory(units=gera_units[1:2])
    client.force_login(narrow)
    cell = page_text(client.get(f"/benutzer/{clerk.pk}/")).split('data-testid="lock-units">')[1].split("</td>")[0]
    assert gera_units[1].number in cell and gera_units[0].number not in cell
