"""End to end in Chromium: a school bus driver joins MAE on the home page's "Join MAE", pays in the
sandbox checkout, watches the membership card appear on the dashboard, downloads it and checks it, and
opens the card's verification page. Another run: a declined card, then "Try again" with a good one, and
next summer's one-page renewal. A third: payday drafts with the signed authorization, then the plan
changed, the bank account change left, automatic renewal cancelled, the drafts stopped, and monthly drafts started
again for what is left of the year.

Every page the browser lands on is checked with axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA).
"""

import importlib
import io
import os
import re
import threading
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from members import clock
from members.models import Member, MembershipTerm, Payment
from members.services import followups
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_signup_and_mfa import Audit, _path, assert_fits_phone, assert_inputs_labelled, sign_in
from tests.factories import MemberFactory, UserFactory, WorksiteFactory, career_field

live_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def membership_world(world):
    """The categories and dues rates a migration loads (transactional tests flush them), and worksites."""
    importlib.import_module("members.migrations.0003_default_categories").load(apps, None)
    WorksiteFactory(district=world.district_a, name="Tupelo Transportation Department")
    WorksiteFactory(district=world.district_a, name="Tupelo High School")
    WorksiteFactory(district=world.district_b, name="Greenville Transportation Department")
    return world


@pytest.fixture
def worker(monkeypatch):
    """Receipts, cards and the welcome email wait for `worker.release()`, then run in another thread, as a
    Celery worker would pick them up later: the dashboard must show them arriving, not find them there."""
    original = followups.after_payment
    gate = threading.Event()
    threads = []

    def later(payment_pk, first_for_term):
        def run():
            gate.wait(timeout=60)
            try:
                original(payment_pk, first_for_term)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(followups, "after_payment", later)
    yield SimpleNamespace(release=gate.set)
    gate.set()
    for thread in threads:
        thread.join(timeout=60)


def pay_by_card(page: Page, audit: Audit, number: str, name: str):
    expect(page.get_by_role("heading", name="Checkout", level=1)).to_be_visible()
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    expect(page.get_by_text("4242 4242 4242 4242")).to_be_visible()
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date (MM/YY)").fill("04/30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_label("Name on card").fill(name)
    page.locator("main").get_by_role("button", name=re.compile(r"^Pay \$")).click()
    page.wait_for_url(re.compile(r"/members/payments/\d+/$"))


@pytest.mark.browser
@live_db
def test_bus_driver_joins_pays_gets_card_and_it_verifies(page: Page, live_server, membership_world, worker):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base_url = live_server.url
    email = "dorothy.ladner@example.org"
    user = UserFactory(email=email, first_name="Dorothy", last_name="Ladner")
    audit = Audit(page)

    # Home page: "Join MAE" asks a visitor to sign in, then comes back to the join form.
    page.goto(f"{base_url}/")
    audit.check()
    page.locator("main").get_by_role("link", name="Join MAE").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/members/join/"))
    sign_in(page, audit, base_url, email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base_url}/members/join/")

    # Step 1: about you. The district is typed; its worksites follow.
    expect(page.get_by_role("heading", name="Join MAE: about you")).to_be_visible()
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    expect(page.get_by_label("Legal first name")).to_have_value("Dorothy")
    page.get_by_label("Mobile phone").fill("662-555-0142")
    page.get_by_label("Address", exact=True).fill("12 Magnolia Street")
    page.get_by_label("City").fill("Tupelo")
    page.get_by_label("ZIP code").fill("38801")
    page.get_by_label("School district you work for").fill("Tupelo Public School District")
    worksite = page.get_by_label("Worksite")
    expect(worksite.locator("option", has_text="Tupelo Transportation Department")).to_be_attached()
    expect(worksite.locator("option", has_text="Greenville")).to_have_count(0)
    worksite.select_option(label="Tupelo Transportation Department")
    page.get_by_label("Job title").fill("School bus driver")
    page.get_by_label("Career field").select_option(label="Transportation services")
    page.get_by_label("Full-time", exact=True).check()
    page.get_by_label("Date you were hired").fill("2019-08-05")
    assert_inputs_labelled(page)
    page.get_by_role("button", name="Continue to membership category").click()

    # Step 2: the category the profile points to is chosen already.
    page.wait_for_url(f"{base_url}/members/join/category/")
    audit.check()
    assert_fits_phone(page)
    expect(page.get_by_role("radio", name=re.compile(r"^ESP full-time"))).to_be_checked()
    page.get_by_role("button", name="Continue to dues and payment").click()

    # Step 3: the year, the three shares, and how to pay (a yearly card payment).
    page.wait_for_url(re.compile(r"/members/join/plan/\?category=esp-full-time$"))
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    expect(page.get_by_text(re.compile(r"Membership year \d{4}-\d{2}, through August 31, \d{4}\."))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Mississippi Association of Educators"))).to_be_visible()
    page.get_by_label(re.compile(r"^Once a year by card")).check()
    page.get_by_role("button", name="Continue to payment").click()

    # The sandbox's hosted checkout: the good test card.
    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    pay_by_card(page, audit, "4242 4242 4242 4242", "Dorothy Ladner")
    expect(page.get_by_text("You're a member.")).to_be_visible()
    audit.check()
    assert_fits_phone(page)

    # The dashboard: active, and the card appears (htmx) once the worker has made it.
    page.get_by_role("link", name="Go to your dashboard").click()
    page.wait_for_url(f"{base_url}/dashboard/")
    expect(page.get_by_text(re.compile(r"Active member through August 31, \d{4}"))).to_be_visible()
    audit.check()
    member = Member.objects.get(user=user)
    term = MembershipTerm.objects.get(member=member)
    panel = page.locator("#documents-panel")
    card_link = panel.get_by_role("link", name=f"Membership card {term.year_label}")
    expect(panel).to_have_attribute("hx-trigger", "every 3s")  # asking again until the documents come
    expect(card_link).to_have_count(0)
    worker.release()
    expect(card_link).to_be_visible(timeout=20_000)
    expect(panel.get_by_role("link", name=re.compile(r"^Receipt: \$"))).to_be_visible()
    audit.check()
    assert_fits_phone(page)

    with page.expect_download() as download_info:
        card_link.click()
    with open(download_info.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Dorothy Ladner" in text
    assert str(member.member_number) in text
    assert term.year_label in text
    assert f"/verify/{term.verification_token}/" in re.sub(r"\s+", "", text)

    # The card's verification page says the member is active.
    page.goto(f"{base_url}/verify/{term.verification_token}/")
    expect(page.get_by_text("Active member")).to_be_visible()
    audit.check()
    assert_fits_phone(page)

    audit.assert_every_page_checked()


@pytest.mark.browser
@live_db
def test_declined_card_then_try_again_and_renew(page: Page, live_server, membership_world, monkeypatch):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base_url = live_server.url
    email = "james.nettles@example.org"
    user = UserFactory(email=email, first_name="James", last_name="Nettles")
    MemberFactory(user=user, legal_first_name="James", legal_last_name="Nettles", email=email,
                  employer_district=membership_world.district_a, local=membership_world.local_a,
                  mobile_phone="662-555-0199", address_line1="4 Church Street", city="Tupelo", zip_code="38804",
                  career_field=career_field("food-services"), job_title="Cook")
    audit = Audit(page)

    sign_in(page, audit, base_url, email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base_url}/dashboard/")
    expect(page.get_by_text("Not a member yet")).to_be_visible()
    audit.check()
    page.locator("main").get_by_role("link", name="Join MAE").click()

    page.wait_for_url(f"{base_url}/members/join/")
    expect(page.get_by_text("We have a member record for you.")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Continue to membership category").click()
    page.wait_for_url(f"{base_url}/members/join/category/")
    audit.check()
    page.get_by_role("button", name="Continue to dues and payment").click()
    page.wait_for_url(re.compile(r"/members/join/plan/"))
    audit.check()
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    pay_by_card(page, audit, "4000 0000 0000 0002", "James Nettles")
    expect(page.get_by_role("heading", name="Your payment did not go through")).to_be_visible()
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    audit.check()
    assert_fits_phone(page)
    term = MembershipTerm.objects.get(member__user=user)
    assert not term.payments.filter(status=Payment.Status.SUCCEEDED).exists()

    page.get_by_role("button", name="Try again").click()
    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    pay_by_card(page, audit, "4242424242424242", "James Nettles")
    expect(page.get_by_text("You're a member.")).to_be_visible()
    audit.check()
    assert term.payments.filter(status=Payment.Status.SUCCEEDED).count() == 1
    assert _path(page.url) != f"/members/payments/{term.payments.get(status=Payment.Status.FAILED).pk}/"

    page.goto(f"{base_url}/dashboard/")
    expect(page.get_by_text(re.compile(r"Active member through August 31, \d{4}"))).to_be_visible()
    audit.check()

    # Next July the renewal window is open: one page, the same category chosen, then checkout.
    next_year = term.membership_year + 1
    monkeypatch.setattr(clock, "today", lambda: date(next_year, 7, 20))
    page.reload()
    page.locator("main").get_by_role("link", name=f"Renew for {next_year}-{str(next_year + 1)[-2:]}").click()
    page.wait_for_url(f"{base_url}/members/renew/")
    expect(page.get_by_role("radio", name=re.compile(r"^ESP full-time"))).to_be_checked()
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="Renew and continue to payment").click()
    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    pay_by_card(page, audit, "4242 4242 4242 4242", "James Nettles")
    expect(page.get_by_role("heading", name=re.compile(r"^Payment received"))).to_be_visible()
    audit.check()
    assert MembershipTerm.objects.get(member__user=user, membership_year=next_year).continues == term

    audit.assert_every_page_checked()


@pytest.mark.browser
@live_db
def test_payday_drafts_signed_then_changed_stopped_and_started_again(page: Page, live_server, membership_world):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    base_url = live_server.url
    email = "latoya.crosby@example.org"
    user = UserFactory(email=email, first_name="Latoya", last_name="Crosby")
    MemberFactory(user=user, legal_first_name="Latoya", legal_middle_name="Ann", legal_last_name="Crosby", email=email,
                  employer_district=membership_world.district_a, local=membership_world.local_a,
                  mobile_phone="662-555-0123", address_line1="9 Elm Street", city="Tupelo", zip_code="38801",
                  career_field=career_field("paraeducators"), job_title="Teacher assistant")
    audit = Audit(page)
    sign_in(page, audit, base_url, email, settings.DEMO_PASSWORD)
    page.wait_for_url(f"{base_url}/dashboard/")
    page.goto(f"{base_url}/members/join/plan/?category=esp-full-time")
    audit.check()
    page.get_by_label(re.compile(r"^Bank draft on each payday")).check()
    page.get_by_role("button", name="Continue to payment").click()

    # The authorization: the exact text, a tick and the typed legal name.
    page.wait_for_url(re.compile(r"/members/join/authorize/\?category=esp-full-time&plan=payday"))
    expect(page.locator("#authorization-text")).to_contain_text("I, Latoya Ann Crosby")
    expect(page.locator("#authorization-text")).to_contain_text("Stop bank drafts")
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    page.get_by_label("I agree to this bank draft authorization").check()
    page.get_by_label("Type your full legal name as your signature").fill("Latoya Crosbie")
    page.get_by_role("button", name="Sign and continue to checkout").click()
    expect(page.locator("#id_typed_name-error")).to_contain_text("Latoya Ann Crosby")
    audit.check()
    page.get_by_label("Type your full legal name as your signature").fill("latoya crosby")
    page.get_by_role("button", name="Sign and continue to checkout").click()

    # The bank checkout: a test account.
    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    page.get_by_label("Account holder's name").fill("Latoya Crosby")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.locator("main").get_by_role("button", name=re.compile(r"^Authorize \$")).click()
    page.wait_for_url(re.compile(r"/members/payments/\d+/$"))
    expect(page.get_by_text("You're a member.")).to_be_visible()
    audit.check()

    page.goto(f"{base_url}/dashboard/")
    expect(page.get_by_text("Checking ending 6789")).to_be_visible()
    expect(page.get_by_text("Your membership renews automatically on September 1")).to_be_visible()
    audit.check()
    assert_fits_phone(page)

    # Change to monthly drafts on the 10th.
    page.get_by_role("link", name="Change plan").click()
    page.wait_for_url(f"{base_url}/members/plan/change/")
    audit.check()
    assert_inputs_labelled(page)
    page.get_by_label("Monthly bank draft").check()
    page.get_by_label("Day of the month for monthly drafts").select_option("10")
    page.get_by_role("button", name="Change my plan").click()
    page.wait_for_url(f"{base_url}/dashboard/")
    expect(page.get_by_text("Your plan is now: monthly bank draft on day 10.")).to_be_visible()
    audit.check()

    # Update the account: a page that explains, then the bank checkout (left without paying).
    page.get_by_role("link", name="Update payment method").click()
    page.wait_for_url(f"{base_url}/members/plan/payment-method/")
    audit.check()
    page.get_by_role("button", name="Continue to checkout").click()
    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    audit.check()
    page.get_by_role("link", name="Cancel and go back").click()
    page.wait_for_url(re.compile(r"/members/payments/\d+/\?cancelled=1$"))
    expect(page.get_by_text("You left the checkout")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Keep my current bank account").click()
    page.wait_for_url(f"{base_url}/dashboard/")
    audit.check()

    # Cancel automatic renewal, then stop the drafts: each confirmed first.
    page.get_by_role("link", name="Cancel automatic renewal").click()
    page.wait_for_url(f"{base_url}/members/plan/automatic-renewal/cancel/")
    audit.check()
    page.get_by_role("button", name="Cancel automatic renewal").click()
    page.wait_for_url(f"{base_url}/dashboard/")
    expect(page.get_by_text("Automatic renewal is off.")).to_be_visible()
    audit.check()
    page.get_by_role("link", name="Stop bank drafts").click()
    page.wait_for_url(f"{base_url}/members/plan/drafts/stop/")
    audit.check()
    assert_fits_phone(page)
    page.get_by_role("button", name="Stop my bank drafts").click()
    page.wait_for_url(f"{base_url}/dashboard/")
    expect(page.locator(".message-success", has_text="Your bank drafts are stopped")).to_be_visible()
    # One clear way to pay what is left: a single "Pay the remaining" button, and no failed drafts to pay one by one.
    expect(page.get_by_role("button", name=re.compile(r"^Pay the remaining \$[\d.]+$"))).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile(r"^Pay \$[\d.]+ now"))).to_have_count(0)
    audit.check()
    assert_fits_phone(page)

    # Or another plan: monthly drafts again for what is left, under a new signed authorization.
    page.get_by_role("link", name="choose another plan").click()
    page.wait_for_url(re.compile(r"/members/plan/terms/\d+/choose/$"))
    expect(page.get_by_text(re.compile(r"^\$[\d.]+ is left to pay for \d{4}-\d{2}$"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Pay the remaining \$[\d.]+$"))).to_have_count(1)
    audit.check()
    assert_inputs_labelled(page)
    assert_fits_phone(page)
    page.get_by_label("Monthly bank draft").check()
    page.get_by_label("Day of the month for monthly drafts").select_option("12")
    page.get_by_role("button", name="Continue to the authorization").click()
    page.wait_for_url(re.compile(r"/members/plan/terms/\d+/choose/authorize/\?plan=monthly&draft_day=12$"))
    expect(page.locator("#authorization-text")).to_contain_text("the unpaid balance of my ESP full-time membership dues")
    audit.check()
    assert_inputs_labelled(page)
    page.get_by_label("I agree to this bank draft authorization").check()
    page.get_by_label("Type your full legal name as your signature").fill("Latoya Crosby")
    page.get_by_role("button", name="Sign and continue to checkout").click()
    page.wait_for_url(re.compile(r"/members/payments/checkout/sandbox/"))
    audit.check()
    page.get_by_label("Account holder's name").fill("Latoya Crosby")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000123456789")
    page.locator("main").get_by_role("button", name=re.compile(r"^Authorize \$")).click()
    page.wait_for_url(re.compile(r"/members/payments/\d+/$"))
    audit.check()
    page.goto(f"{base_url}/dashboard/")
    expect(page.get_by_text("Monthly bank draft on day 12, Checking ending 6789")).to_be_visible()
    expect(page.locator("dt", has_text="Next draft")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Pay the remaining"))).to_have_count(0)
    audit.check()

    audit.assert_every_page_checked()
