"""End to end in Chromium: a member asks for help from the dashboard with a document; the region's
director accepts it from the intake queue into a grievance case (the suggested type preselected), posts
a shared update and a private note, records the level-1 filing and the principal's answer, reads the
computed level-2 deadline with its explanation, records an extension agreed with the district and makes
the level-1 filing letter final (its PDF built); the member sees the update on their case page and never
the note.

Every page the browser lands on is checked with axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA), its
fields have labels, and it fits a 360 px phone without sideways scrolling.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.models import CaseDeadline, CaseLetter, CaseNote, CaseType, GrievanceCase, RepresentationRequest
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_layout import signed_in
from tests.e2e.test_signup_and_mfa import Audit, assert_fits_phone, assert_inputs_labelled
from tests.factories import WorksiteFactory
from tests.portal.test_uploads import good_pdf

live_db = pytest.mark.django_db(transaction=True)
NOTE = "Private: the principal's own email contradicts the reprimand."
UPDATE = "I have filed your level 1 grievance with the principal."


def check(page: Page, audit: Audit):
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)


def as_user(page: Page, live_server, user):
    page.context.clear_cookies()
    signed_in(page, live_server, user)


@pytest.mark.browser
@live_db
def test_member_asks_director_accepts_shares_an_update_and_keeps_a_note(page: Page, live_server, member, director):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base = live_server.url
    audit = Audit(page)
    worksite = member.member.worksite
    WorksiteFactory(district=member.member.employer_district, name="Tupelo Middle School")
    incident = timezone.localdate() - timedelta(days=3)

    # 1. The member asks for help from the dashboard, with a document.
    as_user(page, live_server, member)
    page.goto(f"{base}/dashboard/")
    check(page, audit)
    page.locator("main").get_by_role("link", name="Ask for help").click()
    check(page, audit)
    page.get_by_label("In a few words, what is this about?").fill("Written reprimand")
    page.get_by_label("What happened?").fill("A reprimand was put in my file without the meeting the policy requires.")
    page.get_by_label("When did it happen?").fill(incident.isoformat())
    page.get_by_label("School district").select_option(label=member.member.employer_district.name)
    expect(page.get_by_label("Worksite")).to_contain_text("Tupelo Middle School")  # the district's worksites
    page.get_by_label("Worksite").select_option(label=worksite.name)
    page.get_by_label("Your supervisor").fill("Principal Dana Reed")
    page.get_by_label("Who saw it?").fill("Bo Lee, bus monitor")
    page.get_by_label("What outcome do you want?").fill("Remove the reprimand.")
    page.get_by_label("Soon (within a few weeks)").check()
    page.get_by_label("Documents").set_input_files(files=[
        {"name": "reprimand.pdf", "mimeType": "application/pdf", "buffer": good_pdf()}])
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Your request is sent", level=1)).to_be_visible()
    check(page, audit)
    expect(page.locator("main")).to_contain_text("reprimand.pdf")
    expect(page.locator("main")).to_contain_text("Not a member on the incident date")
    made = RepresentationRequest.objects.get()
    assert made.documents.count() == 1 and made.region == member.member.employer_district.region

    # 2. The director accepts it into a grievance case.
    as_user(page, live_server, director)
    page.goto(f"{base}/advocacy/intake/")
    check(page, audit)
    page.get_by_role("link", name="Written reprimand").click()
    check(page, audit)
    page.get_by_role("link", name="Accept: open a case").click()
    check(page, audit)
    expect(page.get_by_label("Case type")).to_have_value(str(CaseType.objects.get(kind="grievance").pk))  # suggested
    page.get_by_label("Issue category").select_option(label="Discipline")
    page.get_by_role("button", name="Review").click()
    check(page, audit)
    page.get_by_role("button", name="Confirm: open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Written reprimand")
    check(page, audit)
    case = GrievanceCase.objects.get()
    assert case.case_type_version.case_type.kind == "grievance" and case.director == director

    # 3. A shared update and a private note.
    page.get_by_label("Shared update", exact=True).fill(UPDATE)
    page.get_by_role("button", name="Share the update").click()
    expect(page.locator("main")).to_contain_text("The update is shared with the member.")
    check(page, audit)
    page.get_by_label("Private note", exact=True).fill(NOTE)
    page.get_by_role("button", name="Add private note").click()
    expect(page.locator("main")).to_contain_text("The private note is saved.")
    check(page, audit)
    assert CaseNote.objects.filter(case=case, body=NOTE).exists()

    # 4. The level-1 filing and the principal's answer; the computed level-2 deadline and its explanation.
    today = timezone.localdate()
    page.goto(f"{base}/advocacy/cases/{case.pk}/deadlines/")
    check(page, audit)
    for step in ["1. Level 1: written grievance to the principal", "2. Level 1: principal's written answer"]:
        page.get_by_label("What happened").select_option("step_done")
        page.get_by_label("Which step").select_option(label=step)
        page.get_by_label("On which day").fill(today.isoformat())
        page.get_by_role("button", name="Review").click()
        expect(page.get_by_role("heading", name="Check, then confirm")).to_be_visible()
        check(page, audit)
        page.get_by_role("button", name="Confirm: record the event").click()
        expect(page.locator(".message-success")).to_contain_text("Event recorded")
        check(page, audit)
    level2 = CaseDeadline.objects.get(case=case, step__order=3)
    deadlines = page.locator("#deadlines")
    expect(deadlines).to_contain_text("Level 2: appeal to the superintendent")
    expect(deadlines).to_contain_text("5 working days after")
    expect(deadlines).to_contain_text(level2.explanation)  # the engine's explanation stands next to the date

    # 5. An extension agreed with the district moves the level-2 date.
    until = level2.due + timedelta(days=14)
    page.get_by_role("link", name="Record an extension of “Level 2: appeal to the superintendent”").click()
    check(page, audit)
    page.get_by_label("Who agreed for the district").fill("Dr. Ellis, superintendent")
    page.get_by_label("Day it was agreed").fill(today.isoformat())
    page.get_by_label("New due date").fill(until.isoformat())
    page.get_by_role("button", name="Review").click()
    check(page, audit)
    page.get_by_role("button", name="Confirm: record the extension").click()
    expect(page.locator("#deadlines")).to_contain_text("Extended by agreement with Dr. Ellis, superintendent")
    check(page, audit)
    level2.refresh_from_db()
    assert level2.due == until and level2.computed_due < until

    # 6. The level-1 filing letter, made final: its PDF is built and stored on the case.
    page.goto(f"{base}/advocacy/cases/{case.pk}/")
    page.get_by_role("link", name="Write a letter from a template").click()
    check(page, audit)
    page.get_by_label("Level 1 grievance filing").check()
    page.get_by_role("button", name="Make a draft").click()
    check(page, audit)
    page.get_by_role("link", name="Make it final").first.click()
    check(page, audit)
    page.get_by_role("button", name="Confirm: make it final").click()
    letter = CaseLetter.objects.get(case=case)
    assert letter.status == "final"
    page.goto(f"{base}/advocacy/cases/{case.pk}/letters/")
    expect(page.get_by_role("link", name=f"Download the PDF: {letter.subject}")).to_be_visible()
    check(page, audit)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the PDF: {letter.subject}").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # 7. The member sees the update, never the note.
    as_user(page, live_server, member)
    page.goto(f"{base}/advocacy/my-cases/")
    check(page, audit)
    page.get_by_role("link", name=f"{case.number}: Written reprimand").click()
    check(page, audit)
    main = page.locator("main")
    expect(main).to_contain_text(UPDATE)
    expect(main).to_contain_text("reprimand.pdf")  # what they sent stays theirs to open
    assert "principal's own email" not in page.content()
    audit.assert_every_page_checked()
