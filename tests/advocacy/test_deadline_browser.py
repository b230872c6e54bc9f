"""The deadlines pages in Chromium: a director records an event and an agreed extension through the forms,
at phone width, and every page visited is axe-clean with every input labelled."""

import os
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from advocacy.models import CaseEvent
from advocacy.services.deadlines import case_event_record
from members import clock
from tests.advocacy.factories import GrievanceCaseFactory
from tests.conftest import require_or_skip
from tests.e2e.conftest import (  # noqa: F401 - the e2e folder's Chromium fixtures, used here too
    CHROMIUM,
    browser_context_args,
    browser_type_launch_args,
    playwright,
)
from tests.e2e.test_layout import scroll_width, signed_in
from tests.e2e.test_signup_and_mfa import Audit, assert_inputs_labelled

live_db = pytest.mark.django_db(transaction=True)
TODAY = date(2026, 11, 20)


@pytest.fixture
def case(member, director, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    case = GrievanceCaseFactory(grievant=member.member, director=director)
    case_event_record(case=case, kind=CaseEvent.Kind.INCIDENT, occurred_on=date(2026, 11, 16), actor=director,
                      today=TODAY)
    return case


def _fits(page: Page, width: int):
    assert scroll_width(page)[0] <= width, f"{page.url} is wider than {width}px"


@pytest.mark.browser
@live_db
def test_director_records_an_event_and_an_extension_at_phone_width(page: Page, live_server, case, director):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    page.set_default_timeout(15_000)
    signed_in(page, live_server, director)
    page.set_viewport_size({"width": 360, "height": 740})
    audit = Audit(page)
    page.goto(f"{live_server.url}/advocacy/cases/{case.pk}/deadlines/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Deadlines of case {case.number}")
    expect(page.locator("#deadlines")).to_contain_text("is Tue Dec 1.")
    _fits(page, 360)
    assert_inputs_labelled(page)
    audit.check()

    # a refused event: the error stands next to the field, and the summary says it too
    page.get_by_label("What happened").select_option("other")
    page.get_by_label("On which day").fill("2026-11-18")
    page.get_by_role("button", name="Review").click()
    expect(page.locator("#id_description-error")).to_have_text("Say what happened.")
    expect(page.locator(".error-summary")).to_be_visible()
    _fits(page, 360)
    audit.check()
    page.get_by_label("Details").fill("Met the principal with the member.")
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", name="Check, then confirm")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Confirm: record the event").click()
    expect(page.locator(".message-success")).to_contain_text("Event recorded")
    audit.check()

    page.get_by_role("link", name="Record an extension of “Level 1: written grievance to the principal”").click()
    page.get_by_label("Who agreed for the district").fill("Dr. Ellis, superintendent")
    page.get_by_label("Day it was agreed").fill("2026-11-19")
    page.get_by_label("New due date").fill("2026-12-11")
    assert_inputs_labelled(page)
    _fits(page, 360)
    audit.check()
    page.get_by_role("button", name="Review").click()
    audit.check()
    page.get_by_role("button", name="Confirm: record the extension").click()
    expect(page.locator("#deadlines")).to_contain_text("Fri Dec 11, 2026")
    expect(page.locator("#deadlines")).to_contain_text("Extended by agreement with Dr. Ellis, superintendent")
    audit.check()

    page.goto(f"{live_server.url}/advocacy/case-types/")
    _fits(page, 360)
    audit.check()
    page.get_by_role("link", name="Nonrenewal of a licensed employee (Miss. Code 37-9-101 to -113)").click()
    expect(page.locator("main")).to_contain_text("At least 14 calendar days before the hearing")
    audit.check()
    audit.assert_every_page_checked()
