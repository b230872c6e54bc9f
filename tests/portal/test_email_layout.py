"""Every email, the portal's and allauth's account emails, carries the portal's name and MAE's footer."""

from pathlib import Path

import pytest
from allauth.core.context import request_context
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from mae_portal.adapters import AccountAdapter
from mae_portal.models import EmailDelivery

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
PORTAL_BODIES = sorted(p.name for p in EMAILS.glob("*-body.*") if p.name != "account-body.html")
ALLAUTH_EMAILS = sorted(
    p.name.removesuffix("_message.txt")
    for p in (Path(__import__("allauth").__file__).parent / "templates" / "account" / "email").glob("*_message.txt")
    if not p.name.startswith("base_")
)
FOOTER = "775 North State Street, Jackson, MS 39202"


def _assert_branded(text, *, site_name_used=True):
    assert "MAE Member Portal" in text
    assert FOOTER in text
    if site_name_used:  # where allauth's templates put the site's name and domain
        assert "from !" not in text and " on ." not in text and "on  (" not in text
    assert text.count(FOOTER) == 1


def test_every_portal_email_is_listed():
    assert len(PORTAL_BODIES) >= 16 and len(ALLAUTH_EMAILS) >= 12


@pytest.mark.parametrize("name", PORTAL_BODIES)
def test_portal_email_extends_the_base_layout(name):
    # No context: the template's own blanks ("ends on .") are not the site name's.
    text = render_to_string(f"emails/{name}", {"site_url": settings.SITE_URL})
    _assert_branded(text, site_name_used=False)
    if name.endswith(".html"):
        assert text.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("prefix", ALLAUTH_EMAILS)
def test_allauth_account_email_names_the_portal(db, prefix):
    request = RequestFactory().get("/accounts/signup/")
    request.user = AnonymousUser()
    context = {
        "user": None, "activate_url": "http://testserver/accounts/confirm-email/KEY/", "code": "",
        "password_reset_url": "http://testserver/accounts/password/reset/key/KEY/",
        "signup_url": "http://testserver/accounts/signup/", "ip": "203.0.113.9", "user_agent": "Firefox",
        "timestamp": "now", "from_email": "a@example.org", "to_email": "b@example.org",
        "deleted_email": "c@example.org", "email": "d@example.org",
    }
    with request_context(request):
        AccountAdapter(request).send_mail(f"account/email/{prefix}", "d@example.org", context)
    delivery = EmailDelivery.objects.get()
    _assert_branded(delivery.body_text)
    _assert_branded(delivery.body_html)
    assert "Hello from the MAE Member Portal" in delivery.body_text


def test_signup_confirmation_email_names_the_portal(client, world):
    response = client.post("/accounts/signup/", {"email": "new.teacher@example.org", "password1": "quiet-river-77",
                                                 "password2": "quiet-river-77"})
    assert response.status_code == 302
    delivery = EmailDelivery.objects.get(to="new.teacher@example.org")
    assert delivery.subject.startswith("MAE: ")
    _assert_branded(delivery.body_text)
    assert "create an account on the MAE Member Portal (" in delivery.body_text
