"""Award cycles: the dates in Mississippi time across daylight saving, the order of the dates, opening and
changing a cycle (one per year, audited), its phases (confirmed), and the public award page."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse

from esp.dates import cycle_date_errors, mississippi_time
from esp.models import AwardCycle, Criterion
from esp.services.cycles import CycleError, cycle_create, cycle_phase_set, cycle_update
from mae_portal.models import AuditLog
from tests.esp.factories import AwardCycleFactory

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(("moment", "words"), [
    # January is standard time (UTC-6), April daylight time (UTC-5): both read "Central".
    (datetime(2027, 2, 1, 5, 59, tzinfo=UTC), "Sunday, January 31, 2027 at 11:59 p.m. Central"),
    (datetime(2027, 4, 30, 4, 59, tzinfo=UTC), "Thursday, April 29, 2027 at 11:59 p.m. Central"),
    (datetime(2027, 1, 15, 14, 0, tzinfo=UTC), "Friday, January 15, 2027 at 8 a.m. Central"),
    (datetime(2027, 4, 15, 13, 0, tzinfo=UTC), "Thursday, April 15, 2027 at 8 a.m. Central"),
    (datetime(2027, 3, 14, 18, 30, tzinfo=UTC), "Sunday, March 14, 2027 at 1:30 p.m. Central"),  # the day DST starts
    (datetime(2026, 12, 1, 12, 0, tzinfo=CHICAGO), "Tuesday, December 1, 2026 at noon Central"),
    (datetime(2026, 12, 2, 0, 0, tzinfo=CHICAGO), "Wednesday, December 2, 2026 at midnight Central"),
])
def test_mississippi_time(moment, words):
    assert mississippi_time(moment) == words


def dates(**changes):
    base = {"nominations_open_at": datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO),
            "nominations_close_at": datetime(2027, 1, 31, 23, 59, tzinfo=CHICAGO),
            "screening_ends_on": date(2027, 2, 12), "review_opens_on": date(2027, 2, 15),
            "review_closes_on": date(2027, 3, 12), "finalists_on": date(2027, 3, 19), "winner_on": date(2027, 4, 16)}
    return {**base, **changes}


@pytest.mark.parametrize(("changes", "errors"), [
    ({}, set()),
    ({"nominations_close_at": datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO)}, {"nominations_close_at"}),  # = open
    ({"nominations_close_at": datetime(2026, 11, 30, 8, 0, tzinfo=CHICAGO)}, {"nominations_close_at"}),
    # Screening may end the day nominations close (in Mississippi: 11:59 p.m. Central is 05:59 UTC the next day).
    ({"screening_ends_on": date(2027, 1, 31)}, set()),
    ({"screening_ends_on": date(2027, 1, 30)}, {"screening_ends_on"}),
    ({"review_opens_on": date(2027, 2, 11)}, {"review_opens_on"}),
    ({"review_closes_on": date(2027, 2, 14)}, {"review_closes_on"}),
    ({"finalists_on": date(2027, 3, 11)}, {"finalists_on"}),
    ({"winner_on": date(2027, 3, 18)}, {"winner_on"}),
    ({"winner_on": date(2027, 3, 19)}, set()),  # the same day is allowed
    ({"review_opens_on": None}, set()),  # a missing date: the form says it is required
])
def test_date_order(changes, errors):
    assert set(cycle_date_errors(dates(**changes))) == errors


def test_date_error_words():
    assert cycle_date_errors(dates(winner_on=date(2027, 3, 1)))["winner_on"] == (
        "This date must not be before the day finalists are named (Friday, March 19, 2027).")


WEIGHTS = [Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1"), Decimal("2")]


@pytest.fixture
def cycle(awards):
    return cycle_create(data={"year": 2027, **dates()}, review_weights=WEIGHTS, actor=awards)


def test_cycle_create_makes_the_rubric_and_is_audited(cycle, awards):
    assert cycle.phase == "draft"
    review = list(cycle.criteria.filter(round="review").values_list("name", "weight"))
    assert [name for name, _ in review][0] == "Professional Practice" and len(review) == 5
    assert review[4] == ("Enhancement of ESP Image", Decimal("2.00"))
    assert cycle.criteria.filter(round="interview").count() == 2
    entry = AuditLog.objects.get(action="esp.cycle_created")
    assert entry.actor == awards and entry.changes["year"] == 2027


def test_one_cycle_per_year(cycle, awards):
    with pytest.raises(CycleError) as refused:
        cycle_create(data={"year": 2027, **dates()}, review_weights=WEIGHTS, actor=awards)
    assert "year" in refused.value.errors


def test_cycle_update_is_audited_and_the_rubric_locks_once_review_starts(cycle, awards):
    changes = cycle_update(cycle=cycle, data={"finalist_count": 4}, review_weights=[1, 1, 1, 1, 3], actor=awards)
    assert changes["finalist_count"] == [3, 4] and "Enhancement of ESP Image: weight" in changes
    assert AuditLog.objects.filter(action="esp.criterion_updated", subject_id=str(cycle.pk)).count() == 1
    AwardCycle.objects.filter(pk=cycle.pk).update(phase="review")
    cycle.refresh_from_db()
    with pytest.raises(CycleError):
        cycle_update(cycle=cycle, data={"min_membership_years": 5}, actor=awards)
    with pytest.raises(CycleError):
        cycle_update(cycle=cycle, data={}, review_weights=[2, 1, 1, 1, 3], actor=awards)
    assert cycle_update(cycle=cycle, data={"finalist_count": 5}, actor=awards) == {"finalist_count": [4, 5]}
    with pytest.raises(CycleError) as refused:
        cycle_update(cycle=cycle, data={"winner_on": date(2027, 1, 1)}, actor=awards)
    assert "winner_on" in refused.value.errors


def test_phases_move_one_step_and_decided_needs_a_winner(cycle, awards):
    with pytest.raises(CycleError):
        cycle_phase_set(cycle=cycle, phase="review", actor=awards)  # two steps ahead
    for phase in ["nominations", "screening", "review", "interviews"]:
        cycle = cycle_phase_set(cycle=cycle, phase=phase, actor=awards)
    with pytest.raises(CycleError) as refused:
        cycle_phase_set(cycle=cycle, phase="decided", actor=awards)
    assert "winner" in refused.value.errors["phase"]
    cycle = cycle_phase_set(cycle=cycle, phase="review", actor=awards)  # back one step
    assert cycle.phase == "review"
    assert AuditLog.objects.filter(action="esp.cycle_phase_set").count() == 5


def test_only_one_cycle_takes_nominations_at_a_time(cycle, awards):
    AwardCycleFactory(year=2026)  # in the nominations phase
    with pytest.raises(CycleError):
        cycle_phase_set(cycle=cycle, phase="nominations", actor=awards)


def form_data(**changes):
    data = {"year": "2028", "name": "MAE ESP of the Year", "description": "",
            "nominations_open_at": "2027-12-01T08:00", "nominations_close_at": "2028-01-31T23:59",
            "screening_ends_on": "2028-02-11", "review_opens_on": "2028-02-14", "review_closes_on": "2028-03-10",
            "finalists_on": "2028-03-17", "winner_on": "2028-04-14", "min_membership_years": "3",
            "letters_required": "2", "statement_max_words": "500", "reviewers_per_nomination": "3",
            "finalist_count": "3", "min_scores_for_normalising": "5", "hide_name": "on", "hide_photos": "on",
            **{f"weight_{i}": "1" for i in range(1, 6)},
            "interview_1_name": "Interview: vision for ESPs", "interview_1_weight": "1",
            "interview_2_name": "Interview: communication", "interview_2_weight": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_open_a_cycle_on_its_page(client, awards):
    client.force_login(awards)
    assert client.get("/esp/awards/staff/cycles/new/").status_code == 200
    response = client.post("/esp/awards/staff/cycles/new/", form_data(weight_5="2"))
    assert response.status_code == 302 and response["Location"] == "/esp/awards/staff/cycles/2028/"
    cycle = AwardCycle.objects.get(year=2028)
    # The times typed are Mississippi time.
    assert cycle.nominations_close_at == datetime(2028, 2, 1, 5, 59, tzinfo=UTC)
    assert cycle.hide_name and not cycle.hide_district
    assert cycle.criteria.get(round="review", order=5).weight == Decimal("2.00")
    html = client.get("/esp/awards/staff/cycles/2028/").content.decode()
    assert "Nominations close Monday, January 31, 2028 at 11:59 p.m. Central" in html


@pytest.mark.parametrize(("changes", "field"), [
    ({"nominations_close_at": "2027-11-30T08:00"}, "nominations_close_at"),
    ({"review_closes_on": "2028-02-13"}, "review_closes_on"),
    ({"winner_on": "2028-03-16"}, "winner_on"),
    ({"winner_on": ""}, "winner_on"),
    ({"weight_3": "0"}, "weight_3"),
    ({"nominations_open_at": "not a date"}, "nominations_open_at"),
])
def test_cycle_form_errors_sit_next_to_their_field(client, awards, changes, field):
    client.force_login(awards)
    html = client.post("/esp/awards/staff/cycles/new/", form_data(**changes)).content.decode()
    assert f'id="id_{field}-error"' in html and "error-summary" in html
    assert not AwardCycle.objects.exists()


def test_a_second_cycle_for_a_year_is_refused_next_to_the_year(client, awards):
    AwardCycleFactory(year=2028, phase="draft")
    client.force_login(awards)
    html = client.post("/esp/awards/staff/cycles/new/", form_data()).content.decode()
    assert 'id="id_year-error"' in html and AwardCycle.objects.count() == 1


def test_phase_change_is_confirmed_first(client, awards, cycle):
    client.force_login(awards)
    url = "/esp/awards/staff/cycles/2027/phase/"
    page = client.get(url).content.decode().split("<h1>", 1)[1]  # the form, not the menu's "Screening" link
    assert "Taking nominations" in page and "Screening" not in page  # draft: forward one step only
    html = client.post(url, {"phase": "nominations"}).content.decode()
    assert "Check, then confirm" in html and "Confirm: move to “Taking nominations”" in html
    cycle.refresh_from_db()
    assert cycle.phase == "draft"
    assert client.post(url, {"phase": "nominations", "confirm": "1"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.phase == "nominations"
    html = client.post(url, {"phase": "closed", "confirm": "1"}).content.decode()  # not a next step
    assert 'id="id_phase-error"' in html


def test_staff_edit_a_cycle_and_the_locked_fields(client, awards, cycle):
    client.force_login(awards)
    url = "/esp/awards/staff/cycles/2027/"
    data = form_data(year=None, nominations_open_at="2026-12-01T08:00", nominations_close_at="2027-01-31T23:59",
                     screening_ends_on="2027-02-12", review_opens_on="2027-02-15", review_closes_on="2027-03-12",
                     finalists_on="2027-03-19", winner_on="2027-04-16", finalist_count="4")
    assert client.post(url, data).status_code == 302
    cycle.refresh_from_db()
    assert cycle.finalist_count == 4 and cycle.year == 2027
    AwardCycle.objects.filter(pk=cycle.pk).update(phase="review")
    html = client.get(url).content.decode()
    assert "Fixed once reviewers are scoring." in html
    assert client.post(url, {**data, "min_membership_years": "9", "weight_1": "5"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.min_membership_years == 3  # disabled fields keep their values
    assert cycle.criteria.get(round="review", order=1).weight == Decimal("1.00")


def test_the_public_award_page(client, cycle, awards):
    assert client.get("/esp/award/").status_code == 200  # no public cycle yet: says so
    assert "have not been announced" in client.get("/esp/award/").content.decode()
    assert client.get("/esp/award/2027/").status_code == 404  # a draft is not public
    client.force_login(awards)
    assert "Preview for awards staff" in client.get("/esp/award/2027/").content.decode()
    client.logout()
    cycle_phase_set(cycle=cycle, phase="nominations", actor=awards)
    html = client.get("/esp/award/").content.decode()
    assert "Nominations close Sunday, January 31, 2027 at 11:59 p.m. Central." in html
    assert "Tuesday, December 1, 2026 at 8 a.m. Central" in html
    assert "a member for at least 3 years" in html and "not a retired member" in html
    assert "Enhancement of ESP Image</strong> (33% of the score)" in html  # 2 of 6
    assert "Professional Practice</strong> (17% of the score)" in html
    assert client.get("/esp/award/2027/").status_code == 200
    assert client.get("/esp/award/2031/").status_code == 404
    try:
        nominate = reverse("esp:nominate_start", args=[2027])
    except NoReverseMatch:  # the nominate helper's page is not merged yet: no button that leads nowhere
        assert "Nominate" not in html
    else:
        assert f'href="{nominate}"' in html


def test_interview_criteria_are_not_on_the_public_page(client, cycle, awards):
    cycle_phase_set(cycle=cycle, phase="nominations", actor=awards)
    assert Criterion.objects.filter(cycle=cycle, round="interview").exists()
    assert "Interview: communication" not in client.get("/esp/award/").content.decode()
