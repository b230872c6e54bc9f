"""What everyone reads, written by awards staff: the ESP pages and the spotlight stories. Audited.

A story's photo is uploaded through the core's upload service (images only, kind "esp_story_photo"); it is
shown to the public by esp.views.story_photo only while the story is published."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from esp.models import EspPage, SpotlightStory
from mae_portal.audit import audit_record, model_update
from mae_portal.public_pages import public_pages_changed
from mae_portal.uploads import upload_store

STORY_PHOTO_KIND = "esp_story_photo"
Status = SpotlightStory.Status


class StoryError(Exception):
    """A story change refused; `field` is the form field the sentence belongs next to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@transaction.atomic
def esp_page_update(*, page: EspPage, data: dict, actor) -> dict:
    """Change an ESP page's title, summary or body; returns the changes ({} when nothing changed)."""
    page = EspPage.objects.select_for_update().get(pk=page.pk)
    page.updated_by = actor  # saved only with a change
    _, changes = model_update(instance=page, data=data, actor=actor, action="esp.page_updated",
                              update_fields_extra=["updated_by", "updated_at"])
    return changes


def _unique_slug(title: str) -> str:
    base = slugify(title)[:150] or "story"
    slug, n = base, 2
    while SpotlightStory.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _consent_fields(story, data, actor):
    """The consent's "recorded by" follows whoever last changed its date or its note."""
    if any(k in data and data[k] != getattr(story, k) for k in ("consent_given_on", "consent_note")):
        data["consent_recorded_by"] = actor if data.get("consent_given_on", story.consent_given_on) else None
    if data.get("consent_given_on", story.consent_given_on) is None and data.get("consent_note", story.consent_note):
        raise StoryError("consent_given_on", "Enter the date the member gave their consent, or clear how it was given.")
    if data.get("consent_given_on", story.consent_given_on) is not None and not data.get("consent_note", story.consent_note):
        raise StoryError("consent_note", "Say how the member gave their consent (for example a signed release form).")


def _discard(document):
    """Remove a stored photo: the row now, the file once the transaction has committed."""
    stored, storage = document.file.name, document.file.storage
    document.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def _set_photo(story, *, photo, remove_photo, alt, actor):
    old = story.photo
    if (photo is not None or (old is not None and not remove_photo)) and not alt.strip():
        raise StoryError("photo_alt", "Describe the photo for people who cannot see it.")
    if old is not None and (photo is not None or remove_photo):
        story.photo = None
        story.save(update_fields=["photo"])
        _discard(old)  # first: one photo per story (the documents' unique kind and subject)
    if photo is not None:
        # UploadRefused propagates: the caller's transaction (the story with it) is rolled back, nothing stored.
        story.photo = upload_store(file=photo, kind=STORY_PHOTO_KIND, subject=story, actor=actor, owner=None)
        story.photo_alt = alt  # with the photo: a photo is never stored without its description
        story.save(update_fields=["photo", "photo_alt"])
    if story.photo != old:
        what = "added" if old is None else "replaced" if story.photo else "removed"
        audit_record(actor=actor, action="esp.story_photo_set", obj=story,
                     changes={"photo": what, "photo_alt": story.photo_alt if story.photo else ""})


@transaction.atomic
def story_create(*, title: str, member, career_field, summary: str, body: str, consent_given_on=None,
                 consent_note: str = "", photo=None, photo_alt: str = "", actor) -> SpotlightStory:
    """A draft story. `photo` is an uploaded file (JPEG or PNG) or None; with a photo, `photo_alt` is required.
    Raises StoryError, or mae_portal.uploads.UploadRefused (then nothing is stored)."""
    story = SpotlightStory(title=title, slug=_unique_slug(title), member=member, career_field=career_field,
                           summary=summary, body=body, photo_alt=photo_alt, created_by=actor)
    data = {"consent_given_on": consent_given_on, "consent_note": consent_note}
    _consent_fields(story, data, actor)
    for key, value in data.items():
        setattr(story, key, value)
    if photo is not None and not photo_alt.strip():
        raise StoryError("photo_alt", "Describe the photo for people who cannot see it.")
    story.save()
    audit_record(actor=actor, action="esp.story_created", obj=story, changes={
        "title": title, "member": str(member), "career_field": str(career_field),
        "consent_given_on": str(consent_given_on or "")})
    _set_photo(story, photo=photo, remove_photo=False, alt=photo_alt, actor=actor)
    return story


@transaction.atomic
def story_update(*, story: SpotlightStory, data: dict, photo=None, remove_photo: bool = False, actor) -> dict:
    """Change a story (title, member, career field, summary, body, consent, photo alt text) and, optionally, its
    photo. A published story keeps its consent: clearing it raises StoryError (unpublish first)."""
    story = SpotlightStory.objects.select_for_update().get(pk=story.pk)
    data = dict(data)
    _consent_fields(story, data, actor)
    if story.status == Status.PUBLISHED and data.get("consent_given_on", story.consent_given_on) is None:
        raise StoryError("consent_given_on", "A published story needs the member's consent: unpublish it first.")
    _set_photo(story, photo=photo, remove_photo=remove_photo, alt=data.get("photo_alt", story.photo_alt), actor=actor)
    _, changes = model_update(instance=story, data=data, actor=actor, action="esp.story_updated")
    if story.status == Status.PUBLISHED:
        public_pages_changed()  # the home page shows the latest stories
    return changes


@transaction.atomic
def story_publish(*, story: SpotlightStory, actor, now=None) -> SpotlightStory:
    """Publish a story: refused (StoryError on the consent field) without the member's recorded consent."""
    story = SpotlightStory.objects.select_for_update().get(pk=story.pk)
    if story.consent_given_on is None:
        raise StoryError("consent_given_on",
                         "Record the member's consent (the date and how it was given) before publishing.")
    if story.photo_id and not story.photo_alt.strip():
        raise StoryError("photo_alt", "Describe the photo before publishing.")
    if story.status == Status.PUBLISHED:
        return story
    model_update(instance=story, data={"status": Status.PUBLISHED, "published_at": now or timezone.now()},
                 actor=actor, action="esp.story_published")
    public_pages_changed()
    return story


@transaction.atomic
def story_unpublish(*, story: SpotlightStory, actor) -> SpotlightStory:
    """Take a story down: its page and photo answer 404 to the public from now on."""
    story = SpotlightStory.objects.select_for_update().get(pk=story.pk)
    if story.status == Status.PUBLISHED:
        model_update(instance=story, data={"status": Status.UNPUBLISHED}, actor=actor, action="esp.story_unpublished")
        public_pages_changed()
    return story
