"""Account flows beyond sign-up (the browser test covers sign-up, verification and TOTP)."""

from allauth.usersessions.models import UserSession
from django.test import Client


def test_email_change_asks_for_the_password_again(client, member):
    client.force_login(member)  # no recent authentication recorded
    response = client.post("/accounts/email/", {"action_add": "", "email": "new-address@example.org"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert not member.emailaddress_set.filter(email="new-address@example.org").exists()


def _sign_in(email):
    browser = Client()
    response = browser.post("/accounts/login/", {"login": email, "password": "mae-demo-2026"})
    assert response.status_code == 302
    return browser


def test_member_can_sign_out_their_other_sessions(member):
    phone, laptop = _sign_in(member.email), _sign_in(member.email)
    assert UserSession.objects.filter(user=member).count() == 2
    response = laptop.get("/accounts/sessions/")
    assert response.status_code == 200 and b"Sign Out Other Sessions" in response.content
    laptop.post("/accounts/sessions/", {})
    assert phone.get("/dashboard/").status_code == 302  # the phone was signed out
    assert laptop.get("/dashboard/").status_code == 200


def test_password_change_ends_other_sessions(member):
    phone, laptop = _sign_in(member.email), _sign_in(member.email)
    response = laptop.post("/accounts/password/change/", {
        "oldpassword": "mae-demo-2026", "password1": "a-new-long-passphrase-7", "password2": "a-new-long-passphrase-7",
    })
    assert response.status_code == 302
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 302


def test_unverified_account_cannot_sign_in(db):
    from tests.factories import UserFactory

    UserFactory(email="fresh@example.org", verified=False)
    browser = Client()
    response = browser.post("/accounts/login/", {"login": "fresh@example.org", "password": "mae-demo-2026"})
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert browser.get("/dashboard/").status_code == 302
