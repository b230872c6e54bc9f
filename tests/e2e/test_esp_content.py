"""End to end in Chromium: awards staff find a member, write a spotlight story with a photo and its alt text,
are refused publication until the member's consent is recorded, publish it; the story then appears on the
home page and on its career field's page, photo and all. Every page visited is checked with axe-core and at
360 px wide."""

import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from esp.models import EspPage, SpotlightStory
from esp.reference_content import ensure_esp_pages
from tests.conftest import require_or_skip
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_layout import signed_in
from tests.e2e.test_signup_and_mfa import Audit, assert_fits_phone, assert_inputs_labelled

live_db = pytest.mark.django_db(transaction=True)


def photo_png() -> bytes:
    """A wide photo (900 x 600): wider than a phone, so the page must scale it down."""
    image = Image.new("RGB", (900, 600), (0, 69, 124))
    for x in range(0, 900, 60):
        for y in range(0, 600, 60):
            if (x + y) // 60 % 2:
                image.paste((255, 191, 71), (x, y, x + 60, y + 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def checked(page: Page, audit: Audit, *, form=False):
    audit.check()
    if form:
        assert_inputs_labelled(page)
    assert_fits_phone(page)


@pytest.mark.browser
@live_db
def test_staff_write_and_publish_a_story_that_appears_on_home_and_field_pages(page: Page, live_server, world, member,
                                                                            awards):
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    ensure_esp_pages(EspPage)
    base = live_server.url
    signed_in(page, live_server, awards)
    audit = Audit(page)

    page.goto(f"{base}/esp/staff/stories/")
    expect(page.get_by_role("heading", name="Spotlight stories", level=1)).to_be_visible()
    checked(page, audit)
    page.get_by_role("link", name="Write a story").click()

    # Find the member by search.
    expect(page.get_by_role("heading", name="Write a story: who is it about?")).to_be_visible()
    checked(page, audit, form=True)
    page.get_by_label("Name, email or member number of the member featured").fill("Shelton")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(re.compile(r"/esp/staff/stories/new/\?q=Shelton"))
    checked(page, audit)
    page.get_by_role("link", name="Write about Tamika Shelton").click()

    # The story, first without the member's consent.
    expect(page.get_by_role("heading", name="A story about Tamika Shelton")).to_be_visible()
    checked(page, audit, form=True)
    page.get_by_label("Title").fill("Route 12's first stop")
    expect(page.get_by_label("Career field")).to_have_value(str(member.member.career_field_id))
    page.get_by_label("Summary").fill("Tamika Shelton has driven Tupelo's route 12 for eleven years.")
    page.get_by_label("Story", exact=True).fill("She is the first adult many students see each morning.\n\n"
                                                "She trains every new driver in the district.")
    page.get_by_label(re.compile(r"^Photo \(optional\)")).set_input_files(
        files=[{"name": "tamika.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.get_by_label("Photo description (alt text)").fill("Tamika Shelton at the wheel of bus 12")
    page.get_by_role("button", name="Save and preview").click()

    page.wait_for_url(re.compile(r"/esp/staff/stories/\d+/preview/$"))
    expect(page.get_by_text("not recorded: the story cannot be published")).to_be_visible()
    preview_photo = page.get_by_role("img", name="Tamika Shelton at the wheel of bus 12")
    expect(preview_photo).to_be_visible()
    assert preview_photo.evaluate("img => img.naturalWidth") == 900
    checked(page, audit)

    # Publishing is refused, next to the consent field.
    page.get_by_role("button", name="Publish").click()
    consent_date = page.get_by_label("Date the member gave their consent")
    expect(page.locator("#id_consent_given_on-error")).to_contain_text("Not published: Record the member's consent")
    checked(page, audit, form=True)
    consent_date.fill("2026-11-20")
    page.get_by_label("How the consent was given").fill("Signed release form, in her file at the Tupelo office")
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_url(re.compile(r"/esp/staff/stories/\d+/preview/$"))
    expect(page.get_by_text("given November 20, 2026")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("“Route 12's first stop” is published.")).to_be_visible()
    checked(page, audit)
    story = SpotlightStory.objects.get()
    assert story.status == "published" and story.consent_recorded_by == awards

    # Signed out: the home page shows it, and so does its career field's page, photo and all.
    page.context.clear_cookies()
    page.goto(f"{base}/")
    spotlight = page.locator("li.card", has=page.get_by_role("heading", name="ESP spotlight"))
    expect(spotlight.get_by_role("link", name="Route 12's first stop")).to_be_visible()
    checked(page, audit)
    spotlight.get_by_role("link", name="Route 12's first stop").click()
    page.wait_for_url(f"{base}/esp/stories/{story.slug}/")
    photo = page.get_by_role("img", name="Tamika Shelton at the wheel of bus 12")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 900
    checked(page, audit)
    page.get_by_role("link", name="Transportation services").first.click()
    page.wait_for_url(f"{base}/esp/careers/transportation-services/")
    expect(page.get_by_role("heading", name="Spotlight stories")).to_be_visible()
    expect(page.get_by_role("link", name="Route 12's first stop")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ active MAE members? works? in this field\."))).to_be_visible()
    checked(page, audit)
    audit.assert_every_page_checked()


@pytest.mark.browser
@live_db
def test_the_other_esp_pages_are_axe_clean_and_fit_a_phone(page: Page, live_server, world, member, awards):
    """The public ESP pages and the award page, the ESP page editor with its preview, and the cycle pages: an
    error next to its field, then the phase change and its confirmation."""
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    ensure_esp_pages(EspPage)
    base = live_server.url
    audit = Audit(page)
    signed_in(page, live_server, awards)

    page.goto(f"{base}/esp/awards/staff/cycles/")
    checked(page, audit)
    page.get_by_role("link", name="Open a cycle").click()
    expect(page.get_by_role("heading", name="Open an award cycle")).to_be_visible()
    checked(page, audit, form=True)
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_label("Nominations open (Mississippi time)").fill("2026-12-01T08:00")
    page.get_by_label("Nominations close (Mississippi time)").fill("2027-01-31T23:59")
    for label, day in [("Screening ends", "2027-02-12"), ("Review opens", "2027-02-15"), ("Review closes", "2027-03-12"),
                       ("Finalists named", "2027-03-19"), ("Winner announced", "2027-03-01")]:
        page.get_by_label(label).fill(day)
    page.get_by_role("button", name="Open the cycle as a draft").click()
    expect(page.locator("#id_winner_on-error")).to_contain_text("must not be before the day finalists are named")
    expect(page.locator(".error-summary")).to_be_focused()
    checked(page, audit, form=True)
    page.get_by_label("Winner announced").fill("2027-04-16")
    page.get_by_role("button", name="Open the cycle as a draft").click()
    page.wait_for_url(f"{base}/esp/awards/staff/cycles/2027/")
    expect(page.get_by_text("Nominations close Sunday, January 31, 2027 at 11:59 p.m. Central")).to_be_visible()
    checked(page, audit, form=True)
    page.get_by_role("link", name="Change the phase").click()
    checked(page, audit, form=True)
    page.get_by_label("Taking nominations").check()
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", name="Check, then confirm")).to_be_visible()
    checked(page, audit)
    page.get_by_role("button", name="Confirm: move to “Taking nominations”").click()
    page.wait_for_url(f"{base}/esp/awards/staff/cycles/2027/")
    expect(page.get_by_role("heading", name="Phase: Taking nominations")).to_be_visible()

    page.goto(f"{base}/esp/staff/pages/")
    checked(page, audit)
    page.get_by_role("link", name="Edit “The ESP Bill of Rights”").click()
    checked(page, audit, form=True)
    page.get_by_label("Body").fill("Every ESP deserves respect.\n\nAnd a fair wage.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview (not saved yet)")).to_be_visible()
    checked(page, audit, form=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{base}/esp/staff/pages/")

    page.context.clear_cookies()
    for url, heading in [("/esp/award/", "MAE ESP of the Year 2027"), ("/esp/", "What MAE does for ESPs"),
                         ("/esp/bill-of-rights/", "The ESP Bill of Rights"),
                         ("/esp/careers/", "Education Support Professionals: nine career fields"),
                         ("/esp/stories/", "ESP spotlight stories")]:
        page.goto(f"{base}{url}")
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        checked(page, audit)
    page.goto(f"{base}/esp/award/")
    expect(page.get_by_text("Nominations close Sunday, January 31, 2027 at 11:59 p.m. Central.")).to_be_visible()
    page.goto(f"{base}/esp/bill-of-rights/")
    expect(page.get_by_text("And a fair wage.")).to_be_visible()
    audit.assert_every_page_checked()
