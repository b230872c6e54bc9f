"""A two-factor secret stored under a key that MFA_ENCRYPTION_KEY no longer holds: every /accounts/2fa/ page
says so plainly (never a 500), and an administrator can reset the account's two-factor authentication (the
Authenticator admin's action, or `manage.py reset_mfa`), after which it is set up again."""

import io
import logging
import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils.html import escape

from mae_portal.adapters import UNREADABLE_PAGE_MESSAGE
from mae_portal.models import AuditLog
from tests.portal.test_mfa_keys import SECRET

OLD_KEY, NEW_KEY = "the-old-key-0123456789", "the-new-key-abcdefghij"

# The pages that read a stored secret say so, with a 409 (the code form, with the message at the field): the
# overview and the code form whenever they are asked for, the recovery codes once the password was typed again
# (before that, they ask for it).
SAYS_SO = {("get", "/accounts/2fa/"), ("post", "/accounts/2fa/reauthenticate/")}
SAYS_SO_REAUTHENTICATED = SAYS_SO | {
    ("get", "/accounts/2fa/recovery-codes/"), ("get", "/accounts/2fa/recovery-codes/generate/"),
    ("get", "/accounts/2fa/recovery-codes/download/"), ("post", "/accounts/2fa/recovery-codes/download/"),
}


@pytest.fixture
def security_log():
    """What the security logger writes (whatever other tests did to its level or state), as text."""
    logger = logging.getLogger("mae_portal.security")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    disabled, level = logger.disabled, logger.level
    logger.disabled = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield buffer
    logger.removeHandler(handler)
    logger.disabled, logger.level = disabled, level


def two_factor_urls() -> list[str]:
    """Every URL allauth's MFA app serves, read from the URL configuration (a new page is tested too)."""
    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif route.startswith("accounts/2fa/"):
                yield "/" + route

    return sorted(set(walk(get_resolver().url_patterns, "")))


def _stored_under_the_old_key(user, settings):
    settings.MFA_ENCRYPTION_KEY = OLD_KEY
    Authenticator.objects.filter(user=user).delete()
    TOTP.activate(user, SECRET)
    RecoveryCodes.activate(user)
    settings.MFA_ENCRYPTION_KEY = NEW_KEY


def _signed_in(user, *, recently: bool) -> Client:
    """A session of `user`; `recently`: they typed their password a moment ago (no re-authentication asked)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    if recently:
        session = client.session
        session["account_authentication_methods_user"] = str(user.pk)
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}]
        session.save()
    return client


def test_every_two_factor_url_is_tested():
    assert {"/accounts/2fa/", "/accounts/2fa/reauthenticate/", "/accounts/2fa/totp/deactivate/",
            "/accounts/2fa/recovery-codes/", "/accounts/2fa/recovery-codes/download/",
            "/accounts/2fa/recovery-codes/generate/"} <= set(two_factor_urls())


@pytest.mark.parametrize("persona", ["staff", "member"])
@pytest.mark.parametrize("recently", [True, False], ids=["reauthenticated", "signed-in-earlier"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_two_factor_page_fails_when_the_key_changed(request, settings, security_log, persona, recently, method):
    user = request.getfixturevalue(persona)
    for url in two_factor_urls():
        _stored_under_the_old_key(user, settings)
        client = _signed_in(user, recently=recently)
        data = {"code": "123456"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
        page = response.content.decode()
        if (method, url) in (SAYS_SO_REAUTHENTICATED if recently else SAYS_SO):
            assert escape(UNREADABLE_PAGE_MESSAGE) in page, f"{method.upper()} {url}"
            assert response.status_code == (200 if url.endswith("/reauthenticate/") else 409)
    logged = security_log.getvalue()
    assert "MFA_ENCRYPTION_KEY" in logged and f"user {user.pk}" in logged and SECRET not in logged


def test_the_page_uses_the_portal_layout_and_offers_switching_off_to_whom_it_may(client, member, staff, settings):
    for user, may_switch_off in ((member, True), (staff, False)):
        _stored_under_the_old_key(user, settings)
        response = _signed_in(user, recently=True).get("/accounts/2fa/")
        page = response.content.decode()
        assert response.status_code == 409
        assert "<h1>Two-factor authentication needs resetting</h1>" in page and "601-354-4463" in page
        assert 'href="/dashboard/"' in page and "<footer" in page  # base.html
        assert ('href="/accounts/2fa/totp/deactivate/"' in page) is may_switch_off


def test_an_admin_resets_two_factor_and_the_staff_member_sets_it_up_again(staff, admin_user, settings):
    _stored_under_the_old_key(staff, settings)
    admin = Client()
    admin.force_login(admin_user)
    listing = admin.get("/admin/mfa/authenticator/", {"q": "staff@example.org"}).content.decode()
    assert "Reset two-factor authentication of these accounts" in listing
    chosen = Authenticator.objects.filter(user=staff, type="totp").values_list("pk", flat=True)
    response = admin.post("/admin/mfa/authenticator/", {"action": "reset_two_factor",
                                                        "_selected_action": list(chosen)}, follow=True)
    assert "Two-factor authentication was reset for 1 account(s)" in response.content.decode()
    assert not Authenticator.objects.filter(user=staff).exists()
    assert Authenticator.objects.filter(user=admin_user).exists()
    entry = AuditLog.objects.get(action="mfa.reset")
    assert entry.actor == admin_user and entry.changes == {"removed": ["recovery_codes", "totp"]}
    client = _signed_in(staff, recently=True)
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/totp/activate/"  # set up again, first
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_reset_mfa_command_for_when_no_admin_can_sign_in(staff, member, settings, capsys):
    _stored_under_the_old_key(staff, settings)
    with pytest.raises(CommandError, match="nobody@example.org"):
        call_command("reset_mfa", "STAFF@example.org", "nobody@example.org")
    assert Authenticator.objects.filter(user=staff).count() == 2  # nothing reset when one email is unknown
    call_command("reset_mfa", "STAFF@example.org", member.email)
    out = capsys.readouterr().out
    assert "staff@example.org: removed recovery_codes, totp" in out and "had no two-factor authentication" in out
    assert not Authenticator.objects.filter(user=staff).exists()
    assert AuditLog.objects.get(action="mfa.reset").actor is None
