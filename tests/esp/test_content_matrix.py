"""Every URL of the content area x every persona -> the status that persona must get.

Public pages (career fields, ESP pages, published stories and their photos, the award page of a cycle past its
draft) answer 200 to everyone and 405 to a POST. A draft or unpublished story, its photo, and a draft cycle's
page are 404 to everyone but awards staff (who preview the cycle). The staff pages are for awards staff and
admins: 403 for every other signed-in persona whatever the object (so the answer says nothing of what exists),
302 to sign in for visitors; awards staff get 404 for objects that do not exist."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from esp.models import EspPage, SpotlightStory
from esp.reference_content import ensure_esp_pages
from esp.services.content import story_create, story_publish
from tests.esp.factories import AwardCycleFactory
from tests.esp.test_content_pages import DAY
from tests.matrix import PERSONAS, SIGNED_IN, assert_covers, check_row, everyone, get, post, row_id
from tests.portal.test_uploads import good_png

AWARDS = {"awards", "admin_user"}


def staff_only(ok=200, missing=None):
    """`ok` for awards staff and admins (`missing` when the object does not exist), 403 for every other
    signed-in persona, 302 (to sign in) for visitors."""
    return {"anonymous": 302, **{p: ((missing or ok) if p in AWARDS else 403) for p in SIGNED_IN}}


def not_allowed():
    return everyone(405)


def draft_preview():
    return {p: (200 if p in AWARDS else 404) for p in PERSONAS}


@pytest.fixture
def objects(world, member, awards):
    ensure_esp_pages(EspPage)
    record = member.member
    kwargs = {"member": record, "career_field": record.career_field, "summary": "S", "body": "B", "actor": awards}
    published = story_create(title="Published", consent_given_on=DAY, consent_note="Signed form",
                             photo=SimpleUploadedFile("p.png", good_png(), "image/png"), photo_alt="A driver", **kwargs)
    story_publish(story=published, actor=awards)
    consented = story_create(title="Consented draft", consent_given_on=DAY, consent_note="Signed form",
                             photo=SimpleUploadedFile("c.png", good_png(), "image/png"), photo_alt="A driver", **kwargs)
    no_consent = story_create(title="Draft without consent", **kwargs)
    AwardCycleFactory(year=2027)
    AwardCycleFactory(year=2028, phase="draft")
    return {"published": published.slug, "published_pk": published.pk, "draft": consented.slug,
            "draft_pk": consented.pk, "no_consent_pk": no_consent.pk, "number": record.member_number,
            "open_year": 2027, "draft_year": 2028}


STAFF = "/esp/staff"
CYCLES = "/esp/awards/staff/cycles"
MATRIX = [
    # Public pages.
    get("/esp/", everyone(200)), post("/esp/", not_allowed()),
    get("/esp/bill-of-rights/", everyone(200)), post("/esp/bill-of-rights/", not_allowed()),
    get("/esp/careers/", everyone(200)), post("/esp/careers/", not_allowed()),
    get("/esp/careers/food-services/", everyone(200)), post("/esp/careers/food-services/", not_allowed()),
    get("/esp/careers/teaching/", everyone(404)),
    get("/esp/stories/", everyone(200)), post("/esp/stories/", not_allowed()),
    get("/esp/stories/{published}/", everyone(200)), post("/esp/stories/{published}/", not_allowed()),
    get("/esp/stories/{draft}/", everyone(404)),
    get("/esp/stories/{published}/photo/", everyone(200)), post("/esp/stories/{published}/photo/", not_allowed()),
    get("/esp/stories/{draft}/photo/", everyone(404)),
    get("/esp/award/", everyone(200)), post("/esp/award/", not_allowed()),
    get("/esp/award/{open_year}/", everyone(200)), post("/esp/award/{open_year}/", not_allowed()),
    get("/esp/award/{draft_year}/", draft_preview()),
    get("/esp/award/1999/", everyone(404)),
    # ESP pages.
    get(f"{STAFF}/pages/", staff_only()), post(f"{STAFF}/pages/", not_allowed()),
    get(f"{STAFF}/pages/esp-bill-of-rights/", staff_only()),
    post(f"{STAFF}/pages/esp-bill-of-rights/", staff_only()),  # empty: the form's errors
    get(f"{STAFF}/pages/no-such-page/", staff_only(missing=404)),
    # Stories.
    get(f"{STAFF}/stories/", staff_only()), post(f"{STAFF}/stories/", not_allowed()),
    get(f"{STAFF}/stories/new/", staff_only()), get(f"{STAFF}/stories/new/?q=shelton", staff_only()),
    post(f"{STAFF}/stories/new/", not_allowed()),
    get(f"{STAFF}/stories/new/{{number}}/", staff_only()), post(f"{STAFF}/stories/new/{{number}}/", staff_only()),
    get(f"{STAFF}/stories/new/999999999/", staff_only(missing=404)),
    get(f"{STAFF}/stories/{{draft_pk}}/", staff_only()), post(f"{STAFF}/stories/{{draft_pk}}/", staff_only()),
    get(f"{STAFF}/stories/999999/", staff_only(missing=404)),
    get(f"{STAFF}/stories/{{draft_pk}}/preview/", staff_only()), post(f"{STAFF}/stories/{{draft_pk}}/preview/", not_allowed()),
    get(f"{STAFF}/stories/999999/preview/", staff_only(missing=404)),
    get(f"{STAFF}/stories/{{draft_pk}}/publish/", not_allowed()),
    post(f"{STAFF}/stories/{{draft_pk}}/publish/", staff_only(302)),
    post(f"{STAFF}/stories/{{no_consent_pk}}/publish/", staff_only(200)),  # refused, next to the consent field
    post(f"{STAFF}/stories/999999/publish/", staff_only(missing=404)),
    get(f"{STAFF}/stories/{{published_pk}}/unpublish/", not_allowed()),
    post(f"{STAFF}/stories/{{published_pk}}/unpublish/", staff_only(302)),
    # Award cycles.
    get(f"{CYCLES}/", staff_only()), post(f"{CYCLES}/", not_allowed()),
    get(f"{CYCLES}/new/", staff_only()), post(f"{CYCLES}/new/", staff_only()),
    get(f"{CYCLES}/{{open_year}}/", staff_only()), post(f"{CYCLES}/{{open_year}}/", staff_only()),
    get(f"{CYCLES}/1999/", staff_only(missing=404)), post(f"{CYCLES}/1999/", staff_only(missing=404)),
    get(f"{CYCLES}/{{draft_year}}/phase/", staff_only()), post(f"{CYCLES}/{{draft_year}}/phase/", staff_only()),
    post(f"{CYCLES}/{{draft_year}}/phase/", staff_only(), data={"phase": "nominations"}),  # asks to confirm
    get(f"{CYCLES}/1999/phase/", staff_only(missing=404)),
]


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_matrix(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_url(objects):
    assert_covers(MATRIX, objects, claims=["/esp/careers/", "/esp/bill-of-rights/", "/esp/stories/", "/esp/award/",
                                           "/esp/staff/", "/esp/awards/staff/cycles/"],
                  leaves_out={"/esp/award/<int:year>/nominate": "the nominate helper's pages, in its own matrix"})


def test_the_published_story_is_still_published_for_each_persona(objects):
    # The unpublish row runs inside a rolled-back savepoint: every persona met the same published story.
    assert SpotlightStory.objects.get(slug=objects["published"]).status == "published"
