"""The review pages in Chromium: axe-clean (WCAG 2.2 AA) and no sideways scroll at 360 px, for the reviewer
(queue, conflicts, scoring) and awards staff (assignments, nomination, redaction, results, finalists, packet)."""

import os

import pytest
from playwright.sync_api import Page, expect

from esp.models import ReviewAssignment
from esp.services.review import round_close
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM, browser_context_args, browser_type_launch_args, page, playwright  # noqa: F401
from tests.e2e.test_layout import scroll_width, signed_in
from tests.e2e.test_signup_and_mfa import Audit
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user, submit_review

live_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def review_world(world, member, reviewer, awards):
    cycle = AwardCycleFactory(phase="review", finalist_count=1)
    nominations = [nomination_for_review(cycle, nominator=member, employer_district=world.district_b,
                                         local=world.local_b) for _ in range(3)]
    nominations[0].letters.create(writer_name="A Writer", writer_relationship="Principal")
    mine = ReviewAssignment.objects.create(nomination=nominations[0], reviewer=reviewer, round="review",
                                           assigned_by=awards)
    other = reviewer_user()
    for value, nomination in enumerate(nominations, 2):
        submit_review(nomination, other, value, assigned_by=awards)
    return cycle, nominations, mine


@pytest.mark.browser
@live_db
def test_reviewer_pages_are_axe_clean_at_360(page: Page, live_server, review_world, reviewer):  # noqa: F811
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    cycle, nominations, mine = review_world
    signed_in(page, live_server, reviewer)
    page.set_viewport_size({"width": 360, "height": 740})
    audit = Audit(page)
    for url in ("/esp/review/", f"/esp/review/cycles/{cycle.pk}/conflicts/", f"/esp/review/{mine.pk}/"):
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        audit.check()
        width, _ = scroll_width(page)
        assert width <= 360, f"{url} is {width}px wide at 360px"
    # A refused submission: the error summary and the fields still pass.
    page.get_by_role("button", name="Submit my review").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check()
    audit.assert_every_page_checked()


@pytest.mark.browser
@live_db
def test_staff_pages_are_axe_clean(page: Page, live_server, review_world, awards):  # noqa: F811
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    cycle, nominations, mine = review_world
    round_close(cycle=cycle, round="review", actor=awards)
    signed_in(page, live_server, awards)
    audit = Audit(page)
    base = "/esp/awards/staff/review"
    for url in (f"{base}/", f"{base}/cycles/{cycle.pk}/", f"{base}/cycles/{cycle.pk}/conflicts/",
                f"{base}/cycles/{cycle.pk}/blind/", f"{base}/nominations/{nominations[0].pk}/",
                f"{base}/nominations/{nominations[0].pk}/redact/", f"{base}/cycles/{cycle.pk}/results/",
                f"{base}/cycles/{cycle.pk}/finalists/", f"{base}/cycles/{cycle.pk}/packet/",
                f"{base}/cycles/{cycle.pk}/audit/"):
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        audit.check()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}{base}/cycles/{cycle.pk}/results/")
    assert scroll_width(page)[0] <= 360
    audit.assert_every_page_checked()
