"""End to end in Chromium, the whole ESP of the Year: a member nominates, the nominee consents and writes the
statements, a letter arrives through its writer's link, the local president endorses, the nominator submits;
awards staff screen it in and assign two reviewers automatically; both reviewers score it; staff close the
review round, confirm the finalist, close the interview round and confirm the winner; the winner's
certificate, downloaded through the page's link, names the winner.

Every page the browser lands on is axe-checked (WCAG 2.2 AA) and fits a 360 px wide screen.
"""

import io
import os
import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from esp.models import Criterion, Nomination, ReviewAssignment
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_esp_nominate import checked, emailed_path, sign_out
from tests.e2e.test_layout import signed_in
from tests.e2e.test_signup_and_mfa import Audit, sign_in
from tests.esp.review_setup import reviewer_user
from tests.esp.test_nominations import eligible, letter_pdf, open_cycle
from tests.factories import MemberFactory, UserFactory

live_db = pytest.mark.django_db(transaction=True)


def as_user(page: Page, live_server, user):
    page.context.clear_cookies()
    signed_in(page, live_server, user)


def nominate_to_submission(page, audit, base, cycle, member, leader, nominee, tmp_path):
    """The steps of test_esp_nominate: one letter arrives through its writer's link, the nominator uploads another."""
    page.goto(f"{base}/esp/award/{cycle.year}/nominate/")
    sign_in(page, audit, base, member.email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base}/esp/award/{cycle.year}/nominate/")
    checked(page, audit)
    page.get_by_label("Their MAE member number or email address").fill(str(nominee.member_number))
    page.get_by_label("Their last name").fill("Ivy")
    page.get_by_role("button", name="Find them and start").click()
    page.wait_for_url(re.compile(r"/esp/nominations/\d+/$"))
    checked(page, audit)
    page.get_by_label("Why you nominate them").fill("Gloria has driven route 12 for nine years without a missed day.")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
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
    letter_file = tmp_path / "letter.pdf"
    letter_file.write_bytes(letter_pdf())
    page.get_by_label("Writer's name").fill("Coach Bell")
    page.get_by_label("The letter (PDF or Word .docx, at most 10 MB)").set_input_files(str(letter_file))
    page.get_by_role("button", name="Upload the letter").click()
    expect(page.get_by_text("The letter from Coach Bell is added.")).to_be_visible()
    checked(page, audit)
    sign_out(page, audit)

    page.goto(base + emailed_path("esp-nomination-consent", nominee.email))
    checked(page, audit)
    page.get_by_role("button", name="Yes, I agree to be nominated").click()
    page.wait_for_url(re.compile(r"/statements/$"))
    checked(page, audit)
    for criterion in cycle.criteria.filter(round="review"):
        page.get_by_label(criterion.name).fill(f"On {criterion.name.lower()}: I make every child's day start safely.")
    page.get_by_role("button", name="Save my statements").click()
    expect(page.get_by_text("Your statements are saved")).to_be_visible()
    checked(page, audit)

    page.goto(base + emailed_path("esp-nomination-letter-request", "ruth.hale@example.org"))
    checked(page, audit)
    page.get_by_label("Your letter (PDF or Word .docx, at most 10 MB)").set_input_files(str(letter_file))
    page.get_by_role("button", name="Upload my letter").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    checked(page, audit)

    sign_in(page, audit, base, leader.email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    checked(page, audit)
    page.get_by_role("link", name="Gloria Ivy").click()
    checked(page, audit)
    page.get_by_label("Your endorsement").fill("Tupelo's local is proud to put Gloria forward.")
    page.get_by_label("As president of the local, I endorse this nomination.").check()
    page.get_by_role("button", name="Endorse the nomination").click()
    expect(page.get_by_text("Your endorsement of Gloria Ivy is recorded.")).to_be_visible()
    sign_out(page, audit)

    sign_in(page, audit, base, member.email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base}/dashboard/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My nominations").click()
    checked(page, audit)
    page.get_by_role("link", name="Gloria Ivy").click()
    expect(page.locator(".checklist")).not_to_contain_text("Missing")
    page.get_by_role("link", name="Review and submit").click()
    checked(page, audit)
    page.get_by_role("button", name="Submit the nomination").click()
    expect(page.get_by_text("Your nomination of Gloria Ivy is submitted. Thank you.")).to_be_visible()
    checked(page, audit)


def score(page, audit, base, assignment, values):
    page.goto(f"{base}/esp/review/")
    checked(page, audit)
    page.goto(f"{base}/esp/review/{assignment.pk}/")
    checked(page, audit)
    for criterion, value in zip(Criterion.objects.filter(cycle=assignment.nomination.cycle, round="review")
                                .order_by("order"), values, strict=True):
        page.locator(f"input[name='value_{criterion.pk}'][value='{value}']").check()
        page.get_by_label(f"{criterion.name}: comment").fill(f"Scored {value}.")
    page.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Review submitted. Thank you.")).to_be_visible()
    checked(page, audit)


def confirm_round_close(page, audit, base, cycle, round):
    page.goto(f"{base}/esp/awards/staff/review/cycles/{cycle.pk}/close/?round={round}")
    checked(page, audit)
    page.get_by_label("Round").select_option(round)
    page.get_by_role("button", name="Close the round").click()
    expect(page.get_by_text("Round closed: scores are final")).to_be_visible()
    checked(page, audit)


@pytest.mark.browser
@live_db
def test_nomination_to_winner_certificate(page: Page, live_server, world, member, leader, awards, reviewer,
                                          tmp_path):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base = live_server.url
    cycle = open_cycle(reviewers_per_nomination=2, finalist_count=1)
    reviewer2 = reviewer_user("reviewer2@example.org")
    gloria_user = UserFactory(email="gloria.ivy@example.org", first_name="Gloria", last_name="Ivy")
    gloria = eligible(MemberFactory(user=gloria_user, legal_first_name="Gloria", legal_last_name="Ivy",
                                    email=gloria_user.email, employer_district=world.district_a, local=world.local_a))
    audit = Audit(page)

    nominate_to_submission(page, audit, base, cycle, member, leader, gloria, tmp_path)
    nomination = Nomination.objects.get(nominee=gloria)
    assert nomination.status == Nomination.Status.SUBMITTED

    # Awards staff screen it in.
    as_user(page, live_server, awards)
    page.goto(f"{base}/esp/awards/staff/nominations/{cycle.year}/")
    checked(page, audit)
    page.goto(f"{base}/esp/awards/staff/nominations/{cycle.year}/{nomination.pk}/")
    checked(page, audit)
    page.get_by_label("Passes screening").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Screening of Gloria Ivy recorded; the nominator is told.")).to_be_visible()
    checked(page, audit)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SCREENED_IN

    # ... and assign the two reviewers automatically.
    page.goto(f"{base}/esp/awards/staff/review/cycles/{cycle.pk}/")
    checked(page, audit)
    page.get_by_role("link", name="Assign reviewers automatically").click()
    checked(page, audit)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("2 assignment(s) made")).to_be_visible()
    checked(page, audit)
    assignments = {a.reviewer_id: a for a in ReviewAssignment.objects.filter(nomination=nomination, round="review")}
    assert set(assignments) == {reviewer.pk, reviewer2.pk}

    # Both reviewers score it.
    as_user(page, live_server, reviewer)
    score(page, audit, base, assignments[reviewer.pk], [5, 4, 5, 4, 5])
    as_user(page, live_server, reviewer2)
    score(page, audit, base, assignments[reviewer2.pk], [4, 4, 3, 5, 4])

    # Staff close the review round, confirm the finalist, close the interviews, confirm the winner.
    as_user(page, live_server, awards)
    confirm_round_close(page, audit, base, cycle, "review")
    page.goto(f"{base}/esp/awards/staff/review/cycles/{cycle.pk}/results/")
    checked(page, audit)
    expect(page.locator("main")).to_contain_text("Gloria Ivy")
    page.goto(f"{base}/esp/awards/staff/review/cycles/{cycle.pk}/finalists/")
    checked(page, audit)
    page.get_by_label("Gloria Ivy").check()
    page.get_by_role("button", name="Confirm these finalists").click()
    expect(page.get_by_text("1 finalist(s) named")).to_be_visible()
    checked(page, audit)
    confirm_round_close(page, audit, base, cycle, "interview")
    page.goto(f"{base}/esp/awards/staff/review/cycles/{cycle.pk}/winner/")
    checked(page, audit)
    page.locator(f"input[name='nomination'][value='{nomination.pk}']").check()
    page.get_by_role("button", name="Review").click()
    checked(page, audit)
    page.get_by_role("button", name="Confirm: Gloria Ivy wins").click()
    expect(page.get_by_text(f"Gloria Ivy is the {cycle.name} {cycle.year}.")).to_be_visible()
    checked(page, audit)
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WINNER

    # The winner's certificate, through the packet page's link, names the winner.
    page.goto(f"{base}/esp/awards/staff/review/cycles/{cycle.pk}/packet/")
    link = page.locator("main li", has_text="Gloria Ivy").get_by_role("link")
    for _ in range(20):
        if link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    checked(page, audit)
    with page.expect_download() as download:
        link.first.click()
    with open(download.value.path(), "rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Gloria Ivy" in text and "Finalist" not in text
    audit.assert_every_page_checked()
