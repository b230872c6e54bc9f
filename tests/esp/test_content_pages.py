"""The public ESP pages: the nine career fields with their live member counts, stories and resources, the ESP
pages staff edit (with a preview), and query counts that do not grow with rows."""

from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone

from esp.models import CareerFieldResource, EspPage, SpotlightStory
from esp.reference_content import ensure_esp_pages
from esp.selectors.content import career_field_member_counts
from esp.tasks_content import refresh_career_field_counts
from mae_portal.models import AuditLog
from mae_portal.public_pages import public_pages_changed
from members import clock
from members.models import MembershipCategory
from tests.factories import MemberFactory, career_field
from tests.members.test_staff_pages import join, paid

DAY = date(2026, 12, 1)  # membership year 2026-27


@pytest.fixture
def today(monkeypatch, world):
    monkeypatch.setattr(clock, "today", lambda: DAY)
    ensure_esp_pages(EspPage)
    return DAY


def active_member(slug="food-services", *, day=DAY, **fields):
    """A member of career field `slug` with a paid ESP term of the current membership year."""
    record = MemberFactory(career_field=career_field(slug), **fields)
    paid(join(record, MembershipCategory.objects.get(code="esp-full-time"), day=day, key=f"esp-{record.pk}"))
    return record


def story(member, *, field=None, status=SpotlightStory.Status.PUBLISHED, n=0, **fields):
    from tests.factories import UserFactory

    return SpotlightStory.objects.create(
        title=f"Story {n} of {member.legal_last_name}", slug=f"story-{member.pk}-{n}", member=member,
        career_field=field or member.career_field, summary="Feeds four hundred students before eight.",
        body="First paragraph.\n\nSecond paragraph.", status=status,
        consent_given_on=DAY, consent_note="Signed release form",
        published_at=timezone.now() if status == SpotlightStory.Status.PUBLISHED else None,
        created_by=fields.pop("created_by", None) or UserFactory(), **fields)


def test_the_nine_fields_are_listed_with_their_members(client, today):
    active_member("food-services")
    active_member("food-services")
    active_member("transportation-services")
    html = client.get("/esp/careers/").content.decode()
    assert html.count('<li class="card"><h2>') == 9
    assert "2 MAE members" in html and "1 MAE member<" in html
    assert "updated every 5 minutes" in html


def test_the_member_count_is_live_within_its_stated_freshness(client, today):
    active_member("food-services")
    html = client.get("/esp/careers/food-services/").content.decode()
    assert "1 active MAE member works in this field." in html
    assert "updated every 5 minutes" in html
    # A new paid term: the page keeps its stated count until the count is older than five minutes...
    active_member("food-services")
    assert "1 active MAE member works" in client.get("/esp/careers/food-services/").content.decode()
    cache.delete(f"esp:career-field-members:{DAY.isoformat()}")  # ...as it is once five minutes have passed
    assert "2 active MAE members work in this field." in client.get("/esp/careers/food-services/").content.decode()
    # The periodic job counts again before the cached count expires: a third member shows without any wait.
    active_member("food-services")
    refresh_career_field_counts.apply(kwargs={})
    assert "3 active MAE members work in this field." in client.get("/esp/careers/food-services/").content.decode()


def test_the_count_job_runs_every_four_minutes():
    from mae_portal import registry

    job = registry.beat_schedule()["esp-career-field-counts"]
    assert job == {"task": "esp.tasks_content.refresh_career_field_counts", "schedule": 240}


def test_only_active_members_of_the_field_count(today):
    active_member("food-services")
    MemberFactory(career_field=career_field("food-services"))  # never a member
    unpaid = MemberFactory(career_field=career_field("food-services"))
    join(unpaid, MembershipCategory.objects.get(code="esp-full-time"), day=DAY, key="unpaid")  # pending, not paid
    last_year = MemberFactory(career_field=career_field("food-services"))
    paid(join(last_year, MembershipCategory.objects.get(code="esp-full-time"), day=date(2025, 9, 1), key="old"))
    active_member("teaching")  # not an ESP field
    counts = career_field_member_counts(today=DAY)
    assert counts.of(career_field("food-services")) == 1
    assert career_field("teaching").pk not in counts.counts


def test_field_page_shows_published_stories_and_resources_and_no_empty_sections(client, today, awards):
    food = career_field("food-services")
    html = client.get("/esp/careers/food-services/").content.decode()
    assert "Spotlight stories" not in html and "<h2>Resources</h2>" not in html
    assert "Courses" not in html and "mentoring program" not in html.lower()  # nothing to promise yet
    cook = active_member("food-services", legal_first_name="Loretta", legal_last_name="Pickens")
    story(cook, n=1)
    story(cook, n=2, status=SpotlightStory.Status.DRAFT)
    CareerFieldResource.objects.create(career_field=food, title="NEA ESP resources for food services",
                                       url="https://www.nea.org/professional-excellence/education-support-professionals")
    html = client.get("/esp/careers/food-services/").content.decode()
    assert "Story 1 of Pickens" in html and "Story 2 of Pickens" not in html
    assert "NEA ESP resources for food services" in html
    assert "Story 1 of Pickens" not in client.get("/esp/careers/transportation-services/").content.decode()


def test_an_unknown_or_teaching_field_is_404(client, today):
    assert client.get("/esp/careers/no-such-field/").status_code == 404
    assert client.get("/esp/careers/teaching/").status_code == 404


def test_career_field_page_queries_do_not_grow_with_rows(client, today, django_assert_max_num_queries):
    cook = active_member("food-services")
    food = career_field("food-services")
    story(cook, n=0)
    CareerFieldResource.objects.create(career_field=food, title="R0", url="https://example.org/0")
    cache.clear()
    with django_assert_max_num_queries(8) as few:
        client.get("/esp/careers/food-services/")
    for n in range(1, 12):
        story(active_member("food-services"), n=n)
        CareerFieldResource.objects.create(career_field=food, title=f"R{n}", url=f"https://example.org/{n}")
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/esp/careers/food-services/").content.decode()
    assert html.count("story-meta") == 12 and "R11" in html


def test_stories_list_queries_do_not_grow_with_rows(client, today, django_assert_max_num_queries):
    story(active_member("food-services"), n=0)
    with django_assert_max_num_queries(6) as few:
        client.get("/esp/stories/")
    for n in range(1, 11):
        story(active_member("paraeducators"), n=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/esp/stories/").content.decode()
    assert html.count("story-meta") == 11


def test_the_esp_pages_have_their_seeded_text(client, today):
    html = client.get("/esp/").content.decode()
    assert "<h1>What MAE does for ESPs</h1>" in html and "UniServ director" in html
    html = client.get("/esp/bill-of-rights/").content.decode()
    assert "<h1>The ESP Bill of Rights</h1>" in html and "A fair wage and benefits." in html
    assert "<script" not in EspPage.objects.get(slug="esp-bill-of-rights").body


def test_staff_preview_then_save_an_esp_page_audited(client, today, awards):
    client.force_login(awards)
    url = "/esp/staff/pages/esp-bill-of-rights/"
    page = EspPage.objects.get(slug="esp-bill-of-rights")
    data = {"title": page.title, "summary": page.summary, "body": "New text <script>alert(1)</script>\n\nTwo."}
    html = client.post(url, {**data, "preview": "1"}).content.decode()
    assert "Preview (not saved yet)" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    assert EspPage.objects.get(pk=page.pk).body == page.body  # a preview saves nothing
    assert client.post(url, {**data, "save": "1"}).status_code == 302
    page.refresh_from_db()
    assert page.body.startswith("New text") and page.updated_by == awards
    entry = AuditLog.objects.get(action="esp.page_updated")
    assert entry.actor == awards and "body" in entry.changes
    public = client.get("/esp/bill-of-rights/").content.decode()
    assert "<p>New text &lt;script&gt;alert(1)&lt;/script&gt;</p>" in public


def test_an_esp_page_needs_a_title_and_body(client, today, awards):
    client.force_login(awards)
    html = client.post("/esp/staff/pages/esp-bill-of-rights/", {"title": "", "summary": "", "body": ""}).content.decode()
    assert 'id="id_title-error"' in html and 'id="id_body-error"' in html and "error-summary" in html


def test_the_home_page_shows_the_latest_stories(client, today, django_capture_on_commit_callbacks):
    assert "ESP spotlight" not in client.get("/").content.decode()  # kept for signed-out visitors
    cook = active_member("food-services")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            story(cook, n=n)
        story(cook, n=9, status=SpotlightStory.Status.UNPUBLISHED)
        public_pages_changed()  # as the publishing services do: every process renders the page afresh
    html = client.get("/").content.decode()
    assert "ESP spotlight" in html
    assert html.count("Story ") == 3 and "Story 9" not in html and "Story 0" not in html  # the latest three


def test_awards_staff_find_the_content_pages_on_their_dashboard(client, today, awards, member):
    client.force_login(awards)
    html = client.get("/dashboard/").content.decode()
    assert 'href="/esp/staff/stories/"' in html and 'href="/esp/awards/staff/cycles/"' in html
    client.force_login(member)
    assert 'href="/esp/staff/stories/"' not in client.get("/dashboard/").content.decode()


@pytest.mark.parametrize("url", ["/admin/esp/esppage/", "/admin/esp/spotlightstory/", "/admin/esp/careerfieldresource/",
                                 "/admin/members/careerfield/"])
def test_awards_staff_reach_the_content_in_the_admin(client, today, awards, url):
    client.force_login(awards)
    assert client.get(url).status_code == 200
    assert client.get("/admin/esp/esppage/add/").status_code == 403  # the pages come from a migration
