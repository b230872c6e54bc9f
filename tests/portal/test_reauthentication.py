"""Staff sign in once: the mandatory TOTP set-up right after a password sign-in does not ask for it again;
a sensitive change later on still does."""

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings

from mae_portal.permissions import Groups
from tests.factories import UserFactory

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def new_staff(world):
    return UserFactory(email="new.staff@example.org", groups=[Groups.MEMBERSHIP_STAFF], is_staff=True)


def sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    return response


def test_totp_set_up_right_after_sign_in_asks_no_password(client, new_staff):
    sign_in(client, new_staff)
    assert client.get("/dashboard/").url == ACTIVATE  # the MFA-required redirect
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    assert b"Authenticator secret" in page.content


def test_a_later_sensitive_change_asks_for_the_password_again(client, new_staff):
    sign_in(client, new_staff)
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:  # the sign-in was longer ago than the re-authentication window
        record["at"] -= account_settings.REAUTHENTICATION_TIMEOUT + 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/reauthenticate/")
