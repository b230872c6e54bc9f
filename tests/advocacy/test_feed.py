"""The directors' iCal feeds: made, copied, replaced and revoked on the feeds page; the feed answers without a
session, 404 for an unknown or revoked token; it lists the open deadlines and hearings of the director's own
cases, all-day, with stable UIDs, and no private note, no other director's case."""

from datetime import date

import pytest
from icalendar import Calendar

from advocacy.models import CalendarFeedToken, CaseDeadline, GrievanceCase
from mae_portal.models import AuditLog
from tests.advocacy.reports_helpers import NOTE_TEXT, make_case, make_deadline, make_hearing


@pytest.fixture
def cases(world, director, director2, admin_user):
    mine = make_case(director, world.district_a, title="Reprimand without a hearing")
    open_deadline = make_deadline(mine, order=1, due=date(2026, 11, 16),
                                  explanation="10 working days after the incident on Mon Nov 2; the 16th is a Monday")
    make_deadline(mine, order=2, due=date(2026, 11, 30), status=CaseDeadline.Status.MET)
    hearing = make_hearing(mine, date(2026, 12, 7), recorded_by=director)
    colleague = make_case(admin_user, world.district_a, title="Another director's case")  # same region, not theirs
    make_deadline(colleague, due=date(2026, 11, 17))
    other_region = make_case(director2, world.district_b, title="Delta case")
    make_deadline(other_region, due=date(2026, 11, 18))
    closed = make_case(director, world.district_a, title="Closed case")
    make_deadline(closed, due=date(2026, 11, 19))
    GrievanceCase.objects.filter(pk=closed.pk).update(status="closed", outcome="settled", closed_on=date(2026, 11, 1))
    return {"mine": mine, "deadline": open_deadline, "hearing": hearing, "colleague": colleague,
            "other": other_region, "closed": closed}


def _events(content: bytes) -> dict:
    calendar = Calendar.from_ical(content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def _token_for(client, user) -> CalendarFeedToken:
    client.force_login(user)
    response = client.post("/advocacy/feeds/", {"action": "create"})
    assert response.status_code == 302
    return CalendarFeedToken.objects.get(user=user)


def test_the_feed_lists_open_deadlines_and_hearings_of_the_directors_own_cases(client, director, cases):
    token = _token_for(client, director)
    page = client.get("/advocacy/feeds/").content.decode()
    assert f"/advocacy/feeds/{token.token}.ics" in page
    client.logout()  # a calendar app has no session
    response = client.get(f"/advocacy/feeds/{token.token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    events = _events(response.content)
    assert set(events) == {f"deadline-{cases['deadline'].pk}@cases.mae-portal",
                           f"hearing-{cases['hearing'].pk}@cases.mae-portal"}
    deadline = events[f"deadline-{cases['deadline'].pk}@cases.mae-portal"]
    number = cases["mine"].number
    assert str(deadline["summary"]) == f"{number} Level 1: written grievance to the principal due"
    assert deadline.decoded("dtstart") == date(2026, 11, 16) and deadline.decoded("dtend") == date(2026, 11, 17)
    assert "the 16th is a Monday" in str(deadline["description"])
    hearing = events[f"hearing-{cases['hearing'].pk}@cases.mae-portal"]
    assert str(hearing["summary"]) == f"{number} hearing" and hearing.decoded("dtstart") == date(2026, 12, 7)
    for absent in (NOTE_TEXT, "PRIVATE", cases["colleague"].number, cases["other"].number, cases["closed"].number,
                   "Tamika", cases["mine"].facts):
        assert absent not in body, absent
    assert CalendarFeedToken.objects.get(pk=token.pk).last_used_at is not None


def test_uids_stay_when_a_date_moves(client, director, cases):
    token = _token_for(client, director)
    first = _events(client.get(f"/advocacy/feeds/{token.token}.ics").content)
    CaseDeadline.objects.filter(pk=cases["deadline"].pk).update(override_due=date(2026, 11, 20),
                                                               override_reason="Agreed with the principal")
    second = _events(client.get(f"/advocacy/feeds/{token.token}.ics").content)
    assert set(first) == set(second)
    uid = f"deadline-{cases['deadline'].pk}@cases.mae-portal"
    assert second[uid].decoded("dtstart") == date(2026, 11, 20)


def test_a_revoked_or_unknown_token_answers_404(client, director, cases):
    token = _token_for(client, director)
    old = token.token
    assert client.get(f"/advocacy/feeds/{old}.ics").status_code == 200
    client.post("/advocacy/feeds/", {"action": "replace"})
    new = CalendarFeedToken.objects.get(user=director).token
    assert new != old
    assert client.get(f"/advocacy/feeds/{old}.ics").status_code == 404
    assert client.get(f"/advocacy/feeds/{new}.ics").status_code == 200
    client.post("/advocacy/feeds/", {"action": "revoke"})
    assert not CalendarFeedToken.objects.filter(user=director).exists()
    client.logout()
    assert client.get(f"/advocacy/feeds/{new}.ics").status_code == 404
    assert client.get("/advocacy/feeds/not-a-token.ics").status_code == 404
    actions = list(AuditLog.objects.filter(action__startswith="advocacy.calendar_feed").values_list("action", flat=True))
    assert sorted(actions) == ["advocacy.calendar_feed_created"] * 2 + ["advocacy.calendar_feed_revoked"] * 2


def test_a_feed_of_someone_who_no_longer_works_cases_answers_404(client, director, cases):
    token = _token_for(client, director)
    director.groups.clear()
    assert client.get(f"/advocacy/feeds/{token.token}.ics").status_code == 404


def test_the_feed_runs_a_fixed_number_of_queries(client, director, world, cases, django_assert_max_num_queries):
    token = _token_for(client, director)
    client.logout()
    for day in range(1, 25):
        case = make_case(director, world.district_a, note=False)
        make_deadline(case, due=date(2026, 12, day))
        make_hearing(case, date(2027, 1, day), recorded_by=director)
    with django_assert_max_num_queries(8):
        response = client.get(f"/advocacy/feeds/{token.token}.ics")
    assert len(_events(response.content)) == 2 + 48
