"""End to end in Chromium: a member nominates a bus driver for ESP of the Year. The draft saves itself as
she types; the nominee consents and writes her statements through the emailed link (read from the outbox,
mae_portal.EmailDelivery); one letter arrives through its writer's link, the nominator uploads another; the
local president endorses from the dashboard; the nominator submits.

Every page the browser lands on is checked with axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA), for labels,
and at 360 px wide.
"""

import os
import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from esp.models import Nomination, SupportLetter
from mae_portal.models import EmailDelivery
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_signup_and_mfa import Audit, assert_fits_phone, assert_inputs_labelled, sign_in
from tests.esp.test_nominations import eligible, letter_pdf, open_cycle
from tests.factories import MemberFactory, UserFactory

live_db = pytest.mark.django_db(transaction=True)


def emailed_path(template: str, to: str) -> str:
    """The portal path of the link in the one email of `template` to `to` (the outbox row)."""
    body = EmailDelivery.objects.get(template_name=template, to=to).body_text
    return re.search(r"https?://[^/\s]+(/esp/\S+)", body).group(1)


def checked(page: Page, audit: Audit):
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)


def sign_out(page: Page, audit: Audit):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    audit.check()


@pytest.mark.browser
@live_db
def test_member_nominates_nominee_consents_letter_arrives_president_endorses_and_it_is_submitted(
        page: Page, live_server, world, member, leader, tmp_path):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base = live_server.url
    cycle = open_cycle()
    gloria_user = UserFactory(email="gloria.ivy@example.org", first_name="Gloria", last_name="Ivy")
    gloria = eligible(MemberFactory(user=gloria_user, legal_first_name="Gloria", legal_last_name="Ivy",
                                    email=gloria_user.email, employer_district=world.district_a, local=world.local_a))
    audit = Audit(page)

    # The nominator finds the nominee by member number and last name, and starts.
    page.goto(f"{base}/esp/award/{cycle.year}/nominate/")
    sign_in(page, audit, base, member.email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base}/esp/award/{cycle.year}/nominate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nominate someone for {cycle}")
    checked(page, audit)
    page.get_by_label("Their MAE member number or email address").fill(str(gloria.member_number))
    page.get_by_label("Their last name").fill("Ivy")
    page.get_by_role("button", name="Find them and start").click()
    page.wait_for_url(re.compile(r"/esp/nominations/\d+/$"))
    nomination = Nomination.objects.get(nominee=gloria)
    expect(page.get_by_role("heading", name="Nomination of Gloria Ivy")).to_be_visible()
    checked(page, audit)

    # The draft saves itself as she types, and is there after a reload.
    page.get_by_label("Why you nominate them").fill("Gloria has driven route 12 for nine years without a missed day.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    nomination.refresh_from_db()
    assert nomination.nominator_statement.startswith("Gloria has driven route 12")
    page.reload()
    expect(page.get_by_label("Why you nominate them")).to_have_value(re.compile("route 12"))

    # Consent is asked by email; a letter is asked of its writer; another is uploaded.
    page.get_by_role("button", name="Ask Gloria Ivy for consent").click()
    expect(page.get_by_text("We emailed Gloria Ivy to ask for their consent.")).to_be_visible()
    checked(page, audit)
    page.get_by_role("link", name="Ask a writer for a letter").click()
    checked(page, audit)
    page.get_by_label("Writer's name").fill("Dr. Ruth Hale")
    page.get_by_label("Writer's email").fill("ruth.hale@example.org")
    page.get_by_label("How they know the nominee").fill("Principal")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("We emailed Dr. Ruth Hale a link")).to_be_visible()
    page.get_by_role("link", name="Upload a letter").click()
    checked(page, audit)
    letter_file = tmp_path / "coach-bell.pdf"
    letter_file.write_bytes(letter_pdf())
    page.get_by_label("Writer's name").fill("Coach Bell")
    page.get_by_label("The letter (PDF or Word .docx, at most 10 MB)").set_input_files(str(letter_file))
    page.get_by_role("button", name="Upload the letter").click()
    expect(page.get_by_text("The letter from Coach Bell is added.")).to_be_visible()
    checked(page, audit)
    sign_out(page, audit)

    # The nominee, through the emailed link, without signing in: consents, writes the five statements.
    page.goto(base + emailed_path("esp-nomination-consent", gloria.email))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"You have been nominated for {cycle}")
    checked(page, audit)
    page.get_by_role("button", name="Yes, I agree to be nominated").click()
    page.wait_for_url(re.compile(r"/statements/$"))
    checked(page, audit)
    criteria = list(cycle.criteria.filter(round="review"))
    for criterion in criteria:
        page.get_by_label(criterion.name).fill(f"On {criterion.name.lower()}: I make every child's day start safely.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    page.get_by_role("button", name="Save my statements").click()
    expect(page.get_by_text("Your statements are saved")).to_be_visible()
    checked(page, audit)
    assert nomination.statements.exclude(text="").count() == 5

    # The letter writer's link opens their upload page only.
    page.goto(base + emailed_path("esp-nomination-letter-request", "ruth.hale@example.org"))
    expect(page.get_by_role("heading", name="Upload your letter of support")).to_be_visible()
    checked(page, audit)
    page.get_by_label("Your letter (PDF or Word .docx, at most 10 MB)").set_input_files(str(letter_file))
    page.get_by_role("button", name="Upload my letter").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    checked(page, audit)
    assert SupportLetter.objects.get(writer_name="Dr. Ruth Hale").document_id

    # The local president endorses from the dashboard.
    sign_in(page, audit, base, leader.email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    checked(page, audit)
    page.get_by_role("link", name="Gloria Ivy").click()
    expect(page.get_by_role("heading", name="Endorse the nomination of Gloria Ivy")).to_be_visible()
    checked(page, audit)
    page.get_by_label("Your endorsement").fill("Tupelo's local is proud to put Gloria forward.")
    page.get_by_label("As president of the local, I endorse this nomination.").check()
    page.get_by_role("button", name="Endorse the nomination").click()
    page.wait_for_url(f"{base}/dashboard/")
    expect(page.get_by_text("Your endorsement of Gloria Ivy is recorded.")).to_be_visible()
    sign_out(page, audit)

    # The nominator: the checklist is complete; she submits from "My nominations".
    sign_in(page, audit, base, member.email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My nominations").click()
    page.wait_for_url(f"{base}/esp/nominations/")
    checked(page, audit)
    page.get_by_role("link", name="Gloria Ivy").click()
    expect(page.locator(".checklist")).not_to_contain_text("Missing")
    page.get_by_role("link", name="Review and submit").click()
    checked(page, audit)
    page.get_by_role("button", name="Submit the nomination").click()
    expect(page.get_by_text("Your nomination of Gloria Ivy is submitted. Thank you.")).to_be_visible()
    checked(page, audit)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED and nomination.eligibility["passed"] is True
    audit.assert_every_page_checked()
