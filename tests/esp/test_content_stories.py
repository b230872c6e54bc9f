"""Spotlight stories: written by awards staff about a member found by search, with the member's recorded
consent; a photo through the core's upload service (images only) with alt text; preview, publish (refused
without consent, next to the field), unpublish; the public page and photo only while published."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from esp.models import SpotlightStory
from esp.services.content import StoryError, story_create, story_publish
from mae_portal.models import AuditLog, StoredDocument
from tests.esp.test_content_pages import DAY, active_member, today  # noqa: F401 - fixture
from tests.portal.test_uploads import good_jpeg, good_pdf, good_png

STORY = {"title": "Forty years behind the wheel", "summary": "Mr. Lott has driven route 12 since 1986.",
         "body": "He knows every family on the route.\n\nAnd every dog.", "consent_note": "Signed release form"}


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def driver(today):  # noqa: F811
    return active_member("transportation-services", legal_first_name="Earl", legal_last_name="Lott")


@pytest.fixture
def staff_client(client, awards):
    client.force_login(awards)
    return client


def post_story(client, member, *, photo=None, consent=True, **overrides):
    from members.models import CareerField

    data = {**STORY, "career_field": CareerField.objects.get(slug="transportation-services").pk,
            "consent_given_on": DAY.isoformat() if consent else "", **overrides}
    if not consent:
        data["consent_note"] = ""
    if photo is not None:
        data["photo"] = photo
    return client.post(f"/esp/staff/stories/new/{member.member_number}/", data)


def test_staff_find_the_member_by_search(staff_client, driver):
    html = staff_client.get("/esp/staff/stories/new/?q=lott").content.decode()
    assert f'href="/esp/staff/stories/new/{driver.member_number}/">Write about Earl Lott' in html
    assert "No members match" in staff_client.get("/esp/staff/stories/new/?q=zzzzqqq").content.decode()


def test_write_a_story_with_a_photo_then_publish_it(staff_client, driver, awards, client):
    form = staff_client.get(f"/esp/staff/stories/new/{driver.member_number}/").content.decode()
    assert 'selected>Transportation services' in form  # the member's own field is proposed
    response = post_story(staff_client, driver, photo=SimpleUploadedFile("earl.png", good_png(), "image/png"),
                          photo_alt="Earl Lott beside bus 12")
    assert response.status_code == 302
    story = SpotlightStory.objects.get()
    assert response["Location"] == f"/esp/staff/stories/{story.pk}/preview/"
    assert story.status == "draft" and story.member == driver and story.consent_recorded_by == awards
    assert story.photo.kind == "esp_story_photo" and story.photo.content_type == "image/png"
    preview = staff_client.get(response["Location"]).content.decode()
    assert f'src="/documents/{story.photo_id}/"' in preview and 'alt="Earl Lott beside bus 12"' in preview
    assert staff_client.get(f"/documents/{story.photo_id}/").status_code == 200  # staff see the draft's photo

    # Not public yet: the page, the photo and the download door all answer 404 to a visitor.
    client.logout()
    assert client.get(f"/esp/stories/{story.slug}/").status_code == 404
    assert client.get(f"/esp/stories/{story.slug}/photo/").status_code == 404
    assert client.get(f"/documents/{story.photo_id}/").status_code == 404

    client.force_login(awards)
    assert client.post(f"/esp/staff/stories/{story.pk}/publish/").status_code == 302
    story.refresh_from_db()
    assert story.status == "published" and story.published_at
    client.logout()
    page = client.get(f"/esp/stories/{story.slug}/").content.decode()
    assert "<h1>Forty years behind the wheel</h1>" in page and 'alt="Earl Lott beside bus 12"' in page
    photo = client.get(f"/esp/stories/{story.slug}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(photo.streaming_content) == good_png()
    assert client.get(f"/documents/{story.photo_id}/").status_code == 404  # the core door stays closed

    client.force_login(awards)
    assert client.post(f"/esp/staff/stories/{story.pk}/unpublish/").status_code == 302
    client.logout()
    assert client.get(f"/esp/stories/{story.slug}/").status_code == 404
    assert client.get(f"/esp/stories/{story.slug}/photo/").status_code == 404
    actions = list(AuditLog.objects.filter(action__startswith="esp.story").values_list("action", flat=True))
    assert {"esp.story_created", "esp.story_photo_set", "esp.story_published", "esp.story_unpublished"} <= set(actions)


def test_publishing_without_consent_is_refused_next_to_the_field(staff_client, driver):
    assert post_story(staff_client, driver, consent=False).status_code == 302
    story = SpotlightStory.objects.get()
    response = staff_client.post(f"/esp/staff/stories/{story.pk}/publish/")
    html = response.content.decode()
    assert response.status_code == 200
    assert ('<p class="field-error" id="id_consent_given_on-error">Not published: Record the member&#x27;s consent'
            in html)
    assert "error-summary" in html and 'href="#id_consent_given_on"' in html
    assert 'value="Forty years behind the wheel"' in html  # the form shows the story as saved
    assert f'action="/esp/staff/stories/{story.pk}/"' in html  # and saves to the story, not to "publish"
    story.refresh_from_db()
    assert story.status == "draft"
    assert not AuditLog.objects.filter(action="esp.story_published").exists()
    with pytest.raises(StoryError) as refused:
        story_publish(story=story, actor=None)
    assert refused.value.field == "consent_given_on"


def test_a_published_story_keeps_its_consent(staff_client, driver):
    post_story(staff_client, driver)
    story = SpotlightStory.objects.get()
    staff_client.post(f"/esp/staff/stories/{story.pk}/publish/")
    data = {**STORY, "career_field": story.career_field_id, "consent_given_on": "", "consent_note": "", "photo_alt": ""}
    html = staff_client.post(f"/esp/staff/stories/{story.pk}/", data).content.decode()
    assert 'id="id_consent_given_on-error"' in html and "unpublish it first" in html
    story.refresh_from_db()
    assert story.consent_given_on == DAY


@pytest.mark.parametrize(("name", "data", "content_type", "words"), [
    ("earl.pdf", good_pdf(), "application/pdf", "JPEG image or PNG image"),  # a PDF is not a photo
    ("earl.png", b"<html><script>alert(1)</script></html>", "image/png", "not a file we can accept"),
    ("earl.png", good_jpeg(), "image/png", "does not match what is in it"),  # a JPEG named .png
    ("earl.png", b"", "image/png", "empty"),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(staff_client, driver, settings, name, data, content_type, words):
    response = post_story(staff_client, driver, photo=SimpleUploadedFile(name, data, content_type),
                          photo_alt="Earl Lott")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_photo-error"' in html and words in html
    assert not SpotlightStory.objects.exists() and not StoredDocument.objects.exists()
    assert stored_files(settings) == []


def test_a_photo_needs_its_alt_text(staff_client, driver, settings):
    response = post_story(staff_client, driver, photo=SimpleUploadedFile("earl.png", good_png(), "image/png"),
                          photo_alt=" ")
    assert 'id="id_photo_alt-error"' in response.content.decode()
    assert not SpotlightStory.objects.exists() and not StoredDocument.objects.exists() and stored_files(settings) == []
    with pytest.raises(StoryError):  # the service refuses it too, and stores nothing
        story_create(title="T", member=driver, career_field=driver.career_field, summary="S", body="B",
                     photo=SimpleUploadedFile("earl.png", good_png(), "image/png"), photo_alt="", actor=None)
    assert not StoredDocument.objects.exists()


def test_replacing_the_photo_removes_the_old_one(staff_client, driver, settings, django_capture_on_commit_callbacks):
    post_story(staff_client, driver, photo=SimpleUploadedFile("one.png", good_png(), "image/png"), photo_alt="One")
    story = SpotlightStory.objects.get()
    old = story.photo
    data = {**STORY, "career_field": story.career_field_id, "consent_given_on": DAY.isoformat(), "photo_alt": "Two",
            "photo": SimpleUploadedFile("two.jpg", good_jpeg(), "image/jpeg")}
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(f"/esp/staff/stories/{story.pk}/", data).status_code == 302
    story.refresh_from_db()
    assert story.photo.content_type == "image/jpeg" and story.photo_alt == "Two"
    assert not StoredDocument.objects.filter(pk=old.pk).exists()
    assert [p.suffix for p in stored_files(settings)] == [".jpg"]


def test_consent_needs_a_date_and_how_it_was_given(staff_client, driver):
    html = post_story(staff_client, driver, consent_note="").content.decode()
    assert 'id="id_consent_note-error"' in html
    assert not SpotlightStory.objects.exists()


def test_a_photo_added_later_and_removed(staff_client, driver, settings, django_capture_on_commit_callbacks):
    post_story(staff_client, driver)
    story = SpotlightStory.objects.get()
    data = {**STORY, "career_field": story.career_field_id, "consent_given_on": DAY.isoformat(),
            "photo_alt": "Earl at the depot", "photo": SimpleUploadedFile("earl.png", good_png(), "image/png")}
    assert staff_client.post(f"/esp/staff/stories/{story.pk}/", data).status_code == 302
    story.refresh_from_db()
    assert story.photo_id and story.photo_alt == "Earl at the depot"
    data = {**STORY, "career_field": story.career_field_id, "consent_given_on": DAY.isoformat(), "photo_alt": "",
            "remove_photo": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(f"/esp/staff/stories/{story.pk}/", data).status_code == 302
    story.refresh_from_db()
    assert story.photo_id is None and not StoredDocument.objects.exists() and stored_files(settings) == []
