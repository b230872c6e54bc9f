"""End to end in Chromium: a visitor signs up, confirms the emailed link and signs in; a staff member
without two-factor authentication is made to set up TOTP before the dashboard opens.

Every page the browser lands on is checked with axe-core against WCAG 2.0/2.1 A and AA and WCAG 2.2 AA.
"""

import base64
import hashlib
import hmac
import os
import re
import struct
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from mae_portal.permissions import Groups
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.factories import UserFactory

# The live server must see committed rows; the `world`-style fixtures restore reference rows after the flush.
live_db = pytest.mark.django_db(transaction=True)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
NEW_PASSWORD = "Magnolia-bus-route-42"
PHONE_WIDTH = 360
PASSWORD_LABEL = re.compile(r"^Password:?$")  # Django's form labels end with a colon

_axe = Axe()


class Audit:
    """Runs axe on each page and remembers which pages were checked, so the test can prove it saw them all."""

    def __init__(self, page: Page):
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(_path(frame.url)))

    def check(self):
        page = self.page
        page.wait_for_load_state("load")
        results = _axe.run(page, options=AXE_OPTIONS)
        violations = results.response["violations"]
        assert not violations, f"axe found accessibility violations on {page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']}\n"
            + "\n".join(f"    {', '.join(map(str, n['target']))}: {n['html'][:200]}" for n in v["nodes"])
            for v in violations
        )
        self.checked.add(_path(page.url))

    def assert_every_page_checked(self):
        missed = [url for url in self.visited if url not in self.checked]
        assert not missed, f"pages visited but never checked with axe: {missed}"


def _path(url: str) -> str:
    return urlsplit(url).path


def assert_inputs_labelled(page: Page):
    """axe accepts an input's hint text or title as its name; we want a real <label> on every visible field."""
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
            .filter(el => el.offsetParent !== null || el.getClientRects().length > 0)
            .filter(el => !Array.from(el.labels || []).some(label => label.textContent.trim()))
            .map(el => el.outerHTML)"""
    )
    assert unlabelled == [], f"inputs without a <label> on {page.url}: {unlabelled}"


def assert_fits_phone(page: Page):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    try:
        page.wait_for_function(f"() => window.innerWidth === {PHONE_WIDTH}")
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= PHONE_WIDTH, (
            f"{page.url} scrolls sideways at {PHONE_WIDTH}px: scrollWidth {scroll_width}"
        )
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def totp(secret: str, at: float, *, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP with HMAC-SHA1, as an authenticator app computes it from a base32 secret."""
    secret = secret.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{number:0{digits}d}"


def current_totp(secret: str, step: int = 30) -> str:
    """Today's code; waits out the last seconds of a time step so it is still current when the server checks it."""
    if step - time.time() % step < 3:
        time.sleep(step - time.time() % step + 0.1)
    return totp(secret, time.time(), step=step)


def test_totp_matches_rfc_6238_vectors():
    # RFC 6238 appendix B, SHA-1 rows: the seed is ASCII "12345678901234567890", codes have 8 digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"
    assert totp(secret, 2000000000, digits=8) == "69279037"


def wait_for_email(smtp_sink, to: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_sink.messages:
            if message["To"] == to:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} within {timeout}s; got {[m['To'] for m in smtp_sink.messages]}")


def sign_in(page: Page, audit: Audit, base_url: str, email: str, password: str):
    if _path(page.url) != "/accounts/login/":
        page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check()
    assert_inputs_labelled(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()


@pytest.mark.browser
@live_db
def test_visitor_signs_up_confirms_email_and_signs_in(page: Page, live_server, smtp_sink):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base_url = live_server.url
    email = "new.visitor@example.org"
    audit = Audit(page)

    # 1. Sign up.
    page.goto(f"{base_url}/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign Up").click()
    page.wait_for_url(f"{base_url}/accounts/confirm-email/")
    audit.check()

    # 2. The verification email reaches the SMTP server; its link points at this site.
    message = wait_for_email(smtp_sink, email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+/accounts/confirm-email/[-:\w]+/", body)
    assert links, f"no confirmation link in:\n{body}"
    link = links[0]
    assert link.startswith(f"{base_url}/"), f"confirmation link {link} is not on the live server {base_url}"

    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    audit.check()
    page.locator("main").get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{base_url}/accounts/login/")
    expect(page.get_by_text(f"You have confirmed {email}.")).to_be_visible()

    # 3. Sign in with the new account (on the page the confirmation led to) and land on the dashboard.
    sign_in(page, audit, base_url, email, NEW_PASSWORD)
    page.wait_for_url(f"{base_url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {email}")
    audit.check()
    # The greeting holds the whole email address, which once pushed the page wider than a phone.
    assert_fits_phone(page)

    audit.assert_every_page_checked()


@pytest.mark.browser
@live_db
def test_staff_without_totp_must_set_it_up_before_the_dashboard(page: Page, live_server):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    from allauth.mfa.models import Authenticator

    base_url = live_server.url
    email = "new.staff@example.org"
    staff = UserFactory(email=email, groups=[Groups.MEMBERSHIP_STAFF], is_staff=True)
    assert staff.groups.filter(name=Groups.MEMBERSHIP_STAFF).exists()
    audit = Audit(page)

    # Signing in sends them to set up an authenticator app instead of the dashboard, without asking for
    # the password a second time: the sign-in itself is a fresh authentication.
    sign_in(page, audit, base_url, email, settings.DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    assert _path(page.url) == "/accounts/2fa/totp/activate/", "the password was asked for twice in a row"
    expect(page.get_by_text("two-factor authentication is required")).to_be_visible()
    page.wait_for_url(f"{base_url}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check()

    # Any other page sends them back.
    page.goto(f"{base_url}/dashboard/")
    page.wait_for_url(f"{base_url}/accounts/2fa/totp/activate/")
    expect(page.get_by_text("two-factor authentication is required")).to_be_visible()
    audit.check()

    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), f"unexpected TOTP secret {secret!r}"
    page.get_by_label("Authenticator code").fill(current_totp(secret))
    page.locator("main").get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    audit.check()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    # allauth shows the recovery codes once TOTP is on; after that the dashboard opens.
    if "/recovery-codes/" in page.url:
        expect(page.get_by_label("Unused codes")).not_to_be_empty()
    page.goto(f"{base_url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {email}")
    assert _path(page.url) == "/dashboard/"
    audit.check()

    audit.assert_every_page_checked()
