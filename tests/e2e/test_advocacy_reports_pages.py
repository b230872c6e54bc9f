"""The letters, caseload, reports and feed pages in Chromium: axe-clean (WCAG 2.0/2.1 A and AA, 2.2 AA) and
usable at 360 px (no sideways scroll of the page; wide tables scroll in their own focusable region)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.models import CaseLetter, GrievanceCase
from tests.advocacy.reports_helpers import ensure_letter_templates, make_case, make_deadline, make_hearing
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_layout import scroll_width, signed_in
from tests.e2e.test_signup_and_mfa import Audit

live_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def caseload(world, director, director2, region_manager):
    today = timezone.localdate()
    templates = ensure_letter_templates()
    cases = []
    for n in range(6):
        case = make_case(director, world.district_a, title=f"Case {n}: reprimand without a meeting",
                         supervisor="Principal Dana Reed", filed_on=today - timedelta(days=10 + n))
        make_deadline(case, due=today + timedelta(days=n * 3 - 4))
        cases.append(case)
    make_hearing(cases[0], today + timedelta(days=20), recorded_by=director)
    GrievanceCase.objects.filter(pk=cases[5].pk).update(status="closed", outcome="won", closed_on=today)
    make_deadline(make_case(director2, world.district_b, filed_on=today), due=today + timedelta(days=2))
    letter = CaseLetter.objects.create(case=cases[0], template=templates["Level 1 grievance filing"],
                                       subject="Level 1 grievance", body="Dear Principal Reed,\n\nText.",
                                       created_by=director)
    return {"case": cases[0].pk, "letter": letter.pk, "template": letter.template_id}


PAGES = [
    ("director", "/advocacy/caseload/"),
    ("director", "/advocacy/caseload/?status=&overdue_only=on"),
    ("director", "/advocacy/feeds/"),
    ("director", "/advocacy/cases/{case}/letters/"),
    ("director", "/advocacy/cases/{case}/letters/new/"),
    ("director", "/advocacy/cases/{case}/letters/{letter}/"),
    ("director", "/advocacy/cases/{case}/letters/{letter}/preview/"),
    ("director", "/advocacy/cases/{case}/letters/{letter}/final/"),
    ("region_manager", "/advocacy/reports/"),
    ("region_manager", "/advocacy/letter-templates/"),
    ("region_manager", "/advocacy/letter-templates/{template}/"),
]


@pytest.mark.browser
@live_db
@pytest.mark.parametrize(("persona", "url"), PAGES)
def test_pages_are_axe_clean_and_fit_a_phone(page: Page, live_server, request, caseload, persona, url):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    signed_in(page, live_server, request.getfixturevalue(persona))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + url.format(**caseload))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width, _ = scroll_width(page)
    assert width <= 360, f"{url} is {width}px wide at 360px"
    Audit(page).check()
    page.set_viewport_size({"width": 1280, "height": 900})
    Audit(page).check()


@pytest.mark.browser
@live_db
def test_a_refused_template_shows_its_error_next_to_the_field(page: Page, live_server, region_manager, caseload):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    signed_in(page, live_server, region_manager)
    page.goto(f"{live_server.url}/advocacy/letter-templates/new/")
    page.get_by_label("Name", exact=True).fill("Broken")
    page.get_by_label("Template", exact=True).fill("{% include 'base.html' %}")
    page.locator("main").get_by_role("button", name="Save the template").click()
    expect(page.locator(".error-summary")).to_contain_text("Invalid block tag on line 1: 'include'")
    expect(page.locator(".field-error")).to_contain_text("'include'")
    Audit(page).check()


