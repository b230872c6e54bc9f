"""MFA_ENCRYPTION_KEY rotation: several keys (the first encrypts, all decrypt), `rotate_mfa_key` re-encrypts
every stored secret with the first, and a secret no key opens is a clear sign-in error, not a 500."""

import logging

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import call_command

SECRET = "JBSWY3DPEHPK3PXP"  # the staff persona's (tests/conftest.py)


def _code():
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value

    return format_hotp_value(hotp_value(SECRET, int(time.time()) // app_settings.TOTP_PERIOD))


def _sign_in(client, email="staff@example.org"):
    response = client.post("/accounts/login/", {"login": email, "password": "mae-demo-2026"})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    return client.post("/accounts/2fa/authenticate/", {"code": _code()})


@pytest.fixture
def old_key(settings):
    settings.MFA_ENCRYPTION_KEY = "the-old-key-0123456789"
    return settings.MFA_ENCRYPTION_KEY


def test_two_factor_sign_in_works(client, old_key, staff):
    response = _sign_in(client)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(staff.pk)


def test_old_key_still_decrypts_after_a_new_first_key_is_added(client, old_key, staff, settings):
    RecoveryCodes.activate(staff)
    settings.MFA_ENCRYPTION_KEY = f"the-new-key-abcdefghij, {old_key}"
    assert decrypt(Authenticator.objects.get(user=staff, type="totp").data["secret"]) == SECRET
    assert len(RecoveryCodes(Authenticator.objects.get(user=staff, type="recovery_codes")).generate_codes()) == 10
    response = _sign_in(client)
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(staff.pk)


def test_rotate_mfa_key_reencrypts_every_secret_with_the_first_key(old_key, staff, settings, capsys):
    codes = RecoveryCodes.activate(staff).generate_codes()
    settings.MFA_ENCRYPTION_KEY = f"the-new-key-abcdefghij,{old_key}"
    call_command("rotate_mfa_key")
    assert "2 two-factor secrets" in capsys.readouterr().out
    settings.MFA_ENCRYPTION_KEY = "the-new-key-abcdefghij"  # the old key is gone
    assert decrypt(Authenticator.objects.get(user=staff, type="totp").data["secret"]) == SECRET
    assert RecoveryCodes(Authenticator.objects.get(user=staff, type="recovery_codes")).generate_codes() == codes
    settings.MFA_ENCRYPTION_KEY = old_key  # ... and the old key alone opens nothing
    from mae_portal.adapters import MFASecretUnreadable

    with pytest.raises(MFASecretUnreadable):
        decrypt(Authenticator.objects.get(user=staff, type="totp").data["secret"])


def test_rotate_mfa_key_refuses_when_a_secret_is_unreadable(old_key, staff, settings):
    from django.core.management.base import CommandError

    settings.MFA_ENCRYPTION_KEY = "an-unrelated-key-abcdefghij"
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_mfa_key")
    settings.MFA_ENCRYPTION_KEY = old_key
    assert decrypt(Authenticator.objects.get(user=staff, type="totp").data["secret"]) == SECRET  # untouched


def test_a_wrong_key_gives_a_clear_sign_in_error_not_a_500(client, old_key, staff, settings, caplog):
    settings.MFA_ENCRYPTION_KEY = "an-unrelated-key-abcdefghij"
    with caplog.at_level(logging.ERROR, logger="mae_portal.security"):
        response = _sign_in(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "two-factor sign-in could not be checked" in page.lower()
    assert "contact MAE" in page
    assert "_auth_user_id" not in client.session
    assert f"user {staff.pk}" in caplog.text and "MFA_ENCRYPTION_KEY" in caplog.text
    assert SECRET not in caplog.text


def test_totp_setup_still_encrypts_with_the_first_key(old_key, world, settings):
    from tests.factories import UserFactory

    settings.MFA_ENCRYPTION_KEY = f"the-new-key-abcdefghij,{old_key}"
    user = UserFactory(email="new.staff@example.org")
    TOTP.activate(user, SECRET)
    settings.MFA_ENCRYPTION_KEY = "the-new-key-abcdefghij"
    assert decrypt(Authenticator.objects.get(user=user).data["secret"]) == SECRET
