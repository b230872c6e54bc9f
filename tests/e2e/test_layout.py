"""Layout in Chromium: no sideways scroll where a phone or a desktop would get one, scrollable tables a
keyboard can reach (axe: scrollable-region-focusable), and focus on the error summary after a refused submit."""

import os

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from mae_portal.audit import audit_record
from members import clock
from members.services.payments import payment_record
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_join_and_pay import membership_world  # noqa: F401 - fixture
from tests.e2e.test_signup_and_mfa import Audit
from tests.members.test_staff_pages import join

live_db = pytest.mark.django_db(transaction=True)


def signed_in(page: Page, live_server, user):
    """The browser carries a session made for `user` (staff personas already have TOTP set up)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def scroll_width(page: Page, selector: str = "html") -> tuple[int, int]:
    return page.evaluate(
        "(s) => { const el = s === 'html' ? document.documentElement : document.querySelector(s);"
        " return [el.scrollWidth, el.clientWidth]; }", selector)


@pytest.fixture
def memberships(membership_world, member, staff, admin_user, monkeypatch):  # noqa: F811
    from members.models import MembershipCategory

    esp = MembershipCategory.objects.get(code="esp-full-time")
    day = timezone.localdate()
    monkeypatch.setattr(clock, "today", lambda: day)
    term = join(member.member, esp, day=day, key="layout").term
    payment_record(term=term, amount=term.amount_due, method="check", check_number="1042", actor=staff,
                   idempotency_key="layout-check", ip="10.0.0.1")
    audit_record(actor=member, action="member.profile_updated", obj=member.member,
                 changes={"state": ["ZZ", "MS"]}, ip="10.0.0.2")
    return member.member


@pytest.mark.browser
@live_db
def test_sessions_fit_a_phone_and_staff_results_fit_a_desktop(page: Page, live_server, memberships, member, staff):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    signed_in(page, live_server, member)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/accounts/sessions/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width, viewport = scroll_width(page)
    assert width <= 360, f"/accounts/sessions/ is {width}px wide at 360px"

    page.context.clear_cookies()
    signed_in(page, live_server, staff)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/members/staff/members/?q=")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a member")
    assert scroll_width(page)[0] <= 1280
    table_width, region_width = scroll_width(page, ".table-scroll")
    assert table_width <= region_width, f"the results table is cut off: {table_width}px in {region_width}px"


@pytest.mark.browser
@live_db
@pytest.mark.parametrize(("persona", "url"), [
    ("member", "/dashboard/"), ("staff", "/members/staff/members/{number}/"),
    ("staff", "/members/staff/categories/"), ("admin_user", "/audit/"),
])
def test_table_pages_are_axe_clean(page: Page, live_server, request, memberships, persona, url):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    signed_in(page, live_server, request.getfixturevalue(persona))
    page.goto(live_server.url + url.format(number=memberships.member_number))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator(".table-scroll").count() >= 1
    audit = Audit(page)
    audit.check()  # axe: WCAG 2.0/2.1 A and AA, WCAG 2.2 AA, scrollable-region-focusable included
    region = page.locator(".table-scroll").first
    region.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('table-scroll')")


@pytest.mark.browser
@live_db
def test_focus_moves_to_the_error_summary_after_a_refused_submit(page: Page, live_server, memberships, member):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    signed_in(page, live_server, member)
    page.goto(f"{live_server.url}/members/profile/")
    page.get_by_label("ZIP code").fill("00000")
    page.locator("main").get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    Audit(page).check()
