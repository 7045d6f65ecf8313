"""The key of the one-time passwords' readable copy: a wrong key is said and logged, never a silent "–", and
the key can be changed without losing the one-time passwords handed out (OTP_ENCRYPTION_KEY_FALLBACKS)."""

import logging

import pytest
from django.core.management import call_command

from accounts import otp
from accounts.models import User
from tests import factories
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

OLD_KEY = "alter-schluessel-0123456789abcdefghijklmnop"
NEW_KEY = "neuer-schluessel-0123456789abcdefghijklmnop"
UNREADABLE = "Einmalpasswort nicht lesbar – bitte neu setzen"


@pytest.fixture
def pending_clerk(settings, gera_units):
    settings.OTP_ENCRYPTION_KEY = OLD_KEY
    settings.OTP_ENCRYPTION_KEY_FALLBACKS = []
    return factories.PendingClerkFactory(email="bernd.mueller@stadt-gera.example", units=gera_units[:1])


def test_a_wrong_key_shows_unreadable_on_the_detail_page_and_is_logged(settings, admin_client, pending_clerk, caplog):
    assert pending_clerk.otp_plain in page_text(admin_client.get(f"/benutzer/{pending_clerk.pk}/"))
    settings.OTP_ENCRYPTION_KEY = NEW_KEY
    with caplog.at_level(logging.WARNING, logger="security"):
        html = page_text(admin_client.get(f"/benutzer/{pending_clerk.pk}/"))
    assert UNREADABLE in html and pending_clerk.otp_plain not in html
    (record,) = [r for r in caplog.records if r.getMessage() == "otp.unreadable"]
    assert record.user_id == pending_clerk.pk and record.levelno == logging.WARNING


def test_a_user_without_one_time_password_is_not_unreadable(admin_client, gera_clerk):
    html = admin_client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()
    assert UNREADABLE not in html
    assert not otp.unreadable(gera_clerk)


def test_the_key_can_be_rotated_without_losing_a_handed_out_one_time_password(settings, pending_clerk):
    settings.OTP_ENCRYPTION_KEY = NEW_KEY
    settings.OTP_ENCRYPTION_KEY_FALLBACKS = [OLD_KEY]
    clerk = User.objects.get(pk=pending_clerk.pk)
    assert otp.readable(clerk) == pending_clerk.otp_plain  # the old key still reads
    call_command("rotate_otp_key")
    settings.OTP_ENCRYPTION_KEY_FALLBACKS = []  # the old key is gone
    clerk = User.objects.get(pk=pending_clerk.pk)
    assert otp.readable(clerk) == pending_clerk.otp_plain
    settings.OTP_ENCRYPTION_KEY = OLD_KEY
    assert otp.readable(User.objects.get(pk=pending_clerk.pk)) is None  # now encrypted with the new key only


def test_new_one_time_passwords_are_encrypted_with_the_current_key(settings, gera_units):
    settings.OTP_ENCRYPTION_KEY = NEW_KEY
    settings.OTP_ENCRYPTION_KEY_FALLBACKS = [OLD_KEY]
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    settings.OTP_ENCRYPTION_KEY, settings.OTP_ENCRYPTION_KEY_FALLBACKS = OLD_KEY, []
    assert otp.readable(User.objects.get(pk=clerk.pk)) is None
    settings.OTP_ENCRYPTION_KEY = NEW_KEY
    assert otp.readable(User.objects.get(pk=clerk.pk)) == clerk.otp_plain
