"""„Passwort vergessen“ (manual §6): one public sentence, a new OTP for clerks, a request for
fund staff for administrators, and a limit per e-mail and hour."""

import pytest
from django.contrib.admin.sites import site

from accounts.models import PasswordRequest, Role, Status
from audit.models import AuditEntry
from tests import factories
from tests.helpers import page_text
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def ask(client, role, email):
    return client.post("/passwort-vergessen/", {"role": role, "email": email})


def test_the_page_answers_the_same_sentence_whatever_happens(client, gera_clerk, gera_admin):
    locked = factories.ClerkFactory(status=Status.LOCKED)
    answers = {
        ask(client, role, email).content.decode().replace("csrf", "")
        for role, email in [
            (Role.CLERK, gera_clerk.email),
            (Role.CLERK, "niemand@stadt-gera.example"),
            (Role.CLERK, locked.email),
            (Role.ADMINISTRATOR, gera_admin.email),
        ]
    }
    assert len(answers) == 1
    assert "Vielen Dank" in answers.pop()


def test_clerk_gets_a_new_otp_for_the_administrator_and_an_email(client, gera_clerk, gera_admin):
    ask(client, Role.CLERK, " ANNA.schmidt@stadt-gera.example")
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.PENDING
    sent = deliver_outbox()
    assert len(sent) == 1 and "Administrator" in sent[0].body
    client.force_login(gera_admin)
    from accounts import otp

    assert otp.readable(gera_clerk) in page_text(client.get(f"/benutzer/{gera_clerk.pk}/"))


def test_administrator_request_waits_for_fund_staff(client, gera_admin, staff):
    ask(client, Role.ADMINISTRATOR, gera_admin.email)
    gera_admin.refresh_from_db()
    assert gera_admin.status == Status.ACTIVE  # nothing changes until fund staff send a letter
    request = PasswordRequest.objects.get()
    assert (request.user, request.role, request.handled_at) == (gera_admin, Role.ADMINISTRATOR, None)
    assert "per Brief" in deliver_outbox()[0].body
    client.force_login(staff)
    listing = client.get("/admin/accounts/passwordrequest/").content.decode()
    assert gera_admin.email in listing
    assert site.is_registered(PasswordRequest)


def test_requests_are_limited_per_email_and_hour(client, gera_clerk, settings):
    for _ in range(settings.FORGOT_PASSWORD_LIMIT_PER_HOUR + 3):
        ask(client, Role.CLERK, gera_clerk.email)
    assert PasswordRequest.objects.count() == settings.FORGOT_PASSWORD_LIMIT_PER_HOUR
    assert (
        AuditEntry.objects.filter(action="password.forgot_requested").count() == settings.FORGOT_PASSWORD_LIMIT_PER_HOUR
    )


def test_empty_or_bad_input_gets_a_message_not_an_error(client):
    response = client.post("/passwort-vergessen/", {"role": "hacker", "email": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte wählen Sie Ihre Benutzerrolle." in html and "Bitte geben Sie Ihre E-Mail-Adresse ein." in html
    assert not PasswordRequest.objects.exists()
