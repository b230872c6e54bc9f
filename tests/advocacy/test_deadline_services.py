"""advocacy.services.deadlines: a case's deadlines from its timeline, overrides, extensions, recomputing."""

from datetime import date

import pytest

from advocacy.models import CaseDeadline, CaseEvent, CaseType, GrievanceCase, SchoolBreak, SchoolYear, StepRule
from advocacy.services.deadlines import (
    CaseDeadlineError,
    case_deadlines_refresh,
    case_event_record,
    deadline_extension_record,
    deadline_override,
    deadlines_recompute,
)
from mae_portal import registry
from mae_portal.models import AuditLog
from members.models import DistrictClosure
from tests.advocacy.factories import GrievanceCaseFactory, RepresentationRequestFactory, ladder

D = date
TODAY = D(2027, 2, 1)
Kind = CaseEvent.Kind


@pytest.fixture
def grievance(member, director):
    return GrievanceCaseFactory(grievant=member.member, director=director, filed_on=D(2026, 11, 17))


@pytest.fixture
def nonrenewal(member, director):
    version, _ = ladder(CaseType.Kind.NONRENEWAL)
    return GrievanceCaseFactory(grievant=member.member, director=director, case_type_version=version,
                                filed_on=D(2026, 3, 3))


def record(case, kind, day, actor, step=None, **kwargs):
    return case_event_record(case=case, kind=kind, occurred_on=day, actor=actor, step=step, today=TODAY, **kwargs)


def dues(case):
    return {d.step.order: d.due for d in CaseDeadline.objects.filter(case=case).select_related("step")}


def test_grievance_ladder_in_working_days_over_thanksgiving_and_christmas(grievance, director):
    _, steps = ladder()
    assert case_deadlines_refresh(case=grievance) == []  # nothing to count from yet
    assert grievance.current_step == steps[1]  # set on the caller's copy too
    record(grievance, Kind.INCIDENT, D(2026, 11, 16), director)
    # 10 working days after Mon Nov 16: Thanksgiving (Thu Nov 26) not counted
    assert dues(grievance) == {1: D(2026, 12, 1)}
    grievance.refresh_from_db()
    assert grievance.current_step == steps[1]

    record(grievance, Kind.STEP_DONE, D(2026, 11, 24), director, step=steps[1])  # level 1 filed
    assert dues(grievance)[2] == D(2026, 12, 9)  # principal's answer: 10 working days, Thanksgiving skipped
    record(grievance, Kind.STEP_DONE, D(2026, 12, 9), director, step=steps[2])
    assert dues(grievance)[3] == D(2026, 12, 16)  # appeal to the superintendent: 5 working days
    record(grievance, Kind.STEP_DONE, D(2026, 12, 16), director, step=steps[3])
    assert dues(grievance)[4] == D(2026, 12, 31)  # superintendent's answer: Christmas not counted

    deadlines = {d.step.order: d for d in CaseDeadline.objects.filter(case=grievance).select_related("step")}
    assert [deadlines[n].status for n in (1, 2, 3, 4)] == ["met", "met", "met", "open"]
    assert deadlines[1].done_on == D(2026, 11, 24)
    assert "Thu Nov 26 (Thanksgiving Day)" in deadlines[2].explanation
    assert "Fri Dec 25 (Christmas Day)" in deadlines[4].explanation
    assert 'after the step "Level 2: appeal to the superintendent" done Wed Dec 16, 2026' in deadlines[4].explanation
    grievance.refresh_from_db()
    assert grievance.current_step == steps[4]


def test_incident_date_of_the_request_starts_the_first_step(member, director):
    request = RepresentationRequestFactory(member=member.member, incident_date=D(2026, 11, 16))
    case = GrievanceCaseFactory(grievant=member.member, director=director, request=request)
    case_deadlines_refresh(case=case)
    assert dues(case) == {1: D(2026, 12, 1)}
    record(case, Kind.INCIDENT, D(2026, 11, 18), director)  # a corrected incident date wins
    assert dues(case) == {1: D(2026, 12, 3)}


def test_a_step_done_late_is_missed(grievance, director):
    _, steps = ladder()
    record(grievance, Kind.INCIDENT, D(2026, 11, 16), director)
    record(grievance, Kind.STEP_DONE, D(2026, 12, 2), director, step=steps[1])
    deadline = CaseDeadline.objects.get(case=grievance, step=steps[1])
    assert (deadline.status, deadline.done_on) == ("missed", D(2026, 12, 2))
    assert AuditLog.objects.filter(action="deadline.missed", object_id=str(deadline.pk)).exists()


def test_nonrenewal_ladder_counted_back_from_the_hearing(nonrenewal, director):
    _, steps = ladder(CaseType.Kind.NONRENEWAL)
    record(nonrenewal, Kind.NOTICE_RECEIVED, D(2026, 3, 2), director)
    assert dues(nonrenewal) == {1: D(2026, 3, 12)}  # 10 calendar days to ask for a hearing
    record(nonrenewal, Kind.STEP_DONE, D(2026, 3, 10), director, step=steps[1])
    record(nonrenewal, Kind.HEARING_SCHEDULED, D(2026, 4, 20), director)
    assert dues(nonrenewal) == {1: D(2026, 3, 12), 2: D(2026, 4, 6), 3: D(2026, 4, 15)}
    # rescheduled to the Monday after Memorial Day week: 14 days back is Memorial Day -> Fri May 22
    record(nonrenewal, Kind.HEARING_SCHEDULED, D(2026, 6, 8), director)
    assert dues(nonrenewal) == {1: D(2026, 3, 12), 2: D(2026, 5, 22), 3: D(2026, 6, 3)}
    district = CaseDeadline.objects.get(case=nonrenewal, step=steps[2])
    assert district.anchor_date == D(2026, 6, 8)
    assert "Mon May 25, Memorial Day: the office is closed" in district.explanation
    assert "safe date is the open day before, Fri May 22" in district.explanation
    record(nonrenewal, Kind.DECISION_RECEIVED, D(2026, 6, 15), director)
    assert dues(nonrenewal)[4] == D(2026, 7, 6)  # 20 days: Sun Jul 5 -> Mon Jul 6
    nonrenewal.refresh_from_db()
    assert nonrenewal.current_step == steps[2]  # the district's step is not recorded done


@pytest.mark.parametrize(("events", "kind", "day", "field", "message"), [
    ([(Kind.NOTICE_RECEIVED, D(2026, 3, 2))], Kind.HEARING_SCHEDULED, D(2026, 3, 1), "occurred_on",
     "The hearing cannot come before the notice"),
    ([(Kind.HEARING_SCHEDULED, D(2026, 4, 20))], Kind.NOTICE_RECEIVED, D(2026, 4, 21), "occurred_on",
     "The notice cannot come after the hearing"),
    ([(Kind.HEARING_SCHEDULED, D(2026, 4, 20))], Kind.DECISION_RECEIVED, D(2026, 4, 19), "occurred_on",
     "The decision cannot come before the hearing"),
    ([], Kind.NOTICE_RECEIVED, D(2027, 2, 2), "occurred_on", "That day is in the future"),
    ([], Kind.OTHER, D(2026, 4, 1), "description", "Say what happened"),
    ([], Kind.STEP_DONE, D(2026, 4, 1), "step", "Choose the step"),
    ([], Kind.EXTENSION, D(2026, 4, 1), "kind", "Choose what happened"),
    ([], Kind.NOTICE_RECEIVED, None, "occurred_on", "Enter the day"),
])
def test_bad_events_are_refused_and_nothing_is_stored(nonrenewal, director, events, kind, day, field, message):
    for event_kind, event_day in events:
        record(nonrenewal, event_kind, event_day, director)
    counts = (CaseEvent.objects.count(), CaseDeadline.objects.count(), AuditLog.objects.count())
    with pytest.raises(CaseDeadlineError, match=message) as error:
        record(nonrenewal, kind, day, director)
    assert error.value.field == field
    assert (CaseEvent.objects.count(), CaseDeadline.objects.count(), AuditLog.objects.count()) == counts


def test_step_events_are_checked_against_the_ladder(grievance, nonrenewal, director):
    _, grievance_steps = ladder()
    with pytest.raises(CaseDeadlineError, match="not on this case's ladder"):
        record(nonrenewal, Kind.STEP_DONE, D(2026, 3, 10), director, step=grievance_steps[1])
    record(grievance, Kind.INCIDENT, D(2026, 11, 16), director)
    with pytest.raises(CaseDeadlineError, match="cannot be done before that day"):
        record(grievance, Kind.STEP_DONE, D(2026, 11, 13), director, step=grievance_steps[1])
    record(grievance, Kind.STEP_DONE, D(2026, 11, 20), director, step=grievance_steps[1])
    with pytest.raises(CaseDeadlineError, match="already recorded done"):
        record(grievance, Kind.STEP_DONE, D(2026, 11, 21), director, step=grievance_steps[1])


def test_the_same_form_token_records_once(grievance, director):
    first = record(grievance, Kind.INCIDENT, D(2026, 11, 16), director, form_token="abc")
    again = record(grievance, Kind.INCIDENT, D(2026, 11, 16), director, form_token="abc")
    assert first == again
    assert CaseEvent.objects.filter(case=grievance).count() == 1


def test_a_closed_case_refuses_events(grievance, director):
    GrievanceCase.objects.filter(pk=grievance.pk).update(status="closed", outcome="won", closed_on=D(2026, 12, 1))
    with pytest.raises(CaseDeadlineError, match="closed"):
        record(grievance, Kind.INCIDENT, D(2026, 11, 16), director)


@pytest.fixture
def level_one(grievance, director):
    record(grievance, Kind.INCIDENT, D(2026, 11, 16), director)
    return CaseDeadline.objects.get(case=grievance)


def test_override_needs_a_reason_and_survives_refresh_and_recompute(level_one, director, world):
    with pytest.raises(CaseDeadlineError, match="Say why") as error:
        deadline_override(deadline=level_one, due=D(2026, 12, 4), reason="  ", actor=director)
    assert error.value.field == "reason"
    assert CaseDeadline.objects.get(pk=level_one.pk).override_due is None

    deadline_override(deadline=level_one, due=D(2026, 12, 4), reason="The principal was out; agreed by phone.",
                      actor=director, today=TODAY)
    DistrictClosure.objects.create(district=world.district_a, day=D(2026, 11, 30), reason="water main break")
    assert deadlines_recompute(district_ids=[world.district_a.pk])["changed"] == 0  # overridden: untouched
    case_deadlines_refresh(case=level_one.case)
    deadline = CaseDeadline.objects.get(pk=level_one.pk)
    assert (deadline.override_due, deadline.due) == (D(2026, 12, 4), D(2026, 12, 4))
    assert deadline.override_reason == "The principal was out; agreed by phone."
    override = CaseEvent.objects.get(case=level_one.case, kind=Kind.OVERRIDE)
    assert "changed from Tue Dec 1, 2026 to Fri Dec 4, 2026" in override.description


def test_extension_moves_the_date_and_is_on_the_timeline(level_one, director):
    with pytest.raises(CaseDeadlineError, match="must run past the current due date, Tue Dec 1, 2026") as error:
        deadline_extension_record(deadline=level_one, agreed_by="Dr. Ellis", agreed_on=D(2026, 11, 20),
                                  until=D(2026, 11, 30), actor=director, today=TODAY)
    assert error.value.field == "until"
    with pytest.raises(CaseDeadlineError, match="who agreed"):
        deadline_extension_record(deadline=level_one, agreed_by="", agreed_on=D(2026, 11, 20),
                                  until=D(2026, 12, 11), actor=director, today=TODAY)
    assert not CaseEvent.objects.filter(kind=Kind.EXTENSION).exists()

    event = deadline_extension_record(deadline=level_one, agreed_by="Dr. Ellis, superintendent",
                                      agreed_on=D(2026, 11, 20), until=D(2026, 12, 11), actor=director,
                                      today=TODAY, shared=True, form_token="t1")
    again = deadline_extension_record(deadline=level_one, agreed_by="Dr. Ellis, superintendent",
                                      agreed_on=D(2026, 11, 20), until=D(2026, 12, 11), actor=director,
                                      today=TODAY, shared=True, form_token="t1")
    assert again == event
    deadline = CaseDeadline.objects.get(pk=level_one.pk)
    assert (deadline.due, deadline.extended_due, deadline.computed_due) == (D(2026, 12, 11), D(2026, 12, 11), D(2026, 12, 1))
    assert deadline.extension == event
    timeline = list(level_one.case.events.values_list("kind", "occurred_on", "agreed_by", "extended_until", "shared"))
    assert (Kind.EXTENSION, D(2026, 11, 20), "Dr. Ellis, superintendent", D(2026, 12, 11), True) in timeline
    assert len([row for row in timeline if row[0] == Kind.EXTENSION]) == 1
    # recomputing keeps the extension
    case_deadlines_refresh(case=level_one.case)
    assert CaseDeadline.objects.get(pk=level_one.pk).due == D(2026, 12, 11)


def test_an_extension_replaces_an_override(level_one, director):
    deadline_override(deadline=level_one, due=D(2026, 12, 4), reason="Phone call", actor=director, today=TODAY)
    with pytest.raises(CaseDeadlineError, match="Fri Dec 4, 2026"):
        deadline_extension_record(deadline=level_one, agreed_by="Dr. Ellis", agreed_on=D(2026, 11, 20),
                                  until=D(2026, 12, 3), actor=director, today=TODAY)
    deadline_extension_record(deadline=level_one, agreed_by="Dr. Ellis", agreed_on=D(2026, 11, 20),
                              until=D(2026, 12, 18), actor=director, today=TODAY)
    deadline = CaseDeadline.objects.get(pk=level_one.pk)
    assert (deadline.override_due, deadline.due) == (None, D(2026, 12, 18))


def test_a_met_deadline_is_not_overridden_or_extended(level_one, director):
    _, steps = ladder()
    record(level_one.case, Kind.STEP_DONE, D(2026, 11, 20), director, step=steps[1])
    with pytest.raises(CaseDeadlineError, match="met"):
        deadline_override(deadline=level_one, due=D(2026, 12, 4), reason="x", actor=director)
    with pytest.raises(CaseDeadlineError, match="met"):
        deadline_extension_record(deadline=level_one, agreed_by="x", agreed_on=D(2026, 11, 20),
                                  until=D(2026, 12, 11), actor=director, today=TODAY)


def test_changed_closures_recompute_computed_dates_and_leave_overridden_ones(member, director, world):
    _, steps = ladder()
    computed = GrievanceCaseFactory(grievant=member.member, director=director)
    overridden = GrievanceCaseFactory(grievant=member.member, director=director)
    other_district = GrievanceCaseFactory(grievant=member.member, director=director, district=world.district_b)
    for case in (computed, overridden, other_district):
        record(case, Kind.INCIDENT, D(2026, 11, 16), director)
    deadline_override(deadline=CaseDeadline.objects.get(case=overridden), due=D(2026, 12, 2), reason="agreed",
                      actor=director, today=TODAY)
    DistrictClosure.objects.create(district=world.district_a, day=D(2026, 11, 27), reason="Thanksgiving break")
    result = deadlines_recompute(district_ids=[world.district_a.pk])
    assert result == {"checked": 1, "changed": 1, "failed": 0}
    deadline = CaseDeadline.objects.get(case=computed)
    assert deadline.computed_due == D(2026, 12, 2)
    assert "Fri Nov 27 (district closure: Thanksgiving break)" in deadline.explanation
    assert CaseDeadline.objects.get(case=overridden).computed_due == D(2026, 12, 1)  # untouched
    assert CaseDeadline.objects.get(case=other_district).computed_due == D(2026, 12, 1)
    assert AuditLog.objects.filter(action="deadline.recomputed", object_id=str(deadline.pk)).exists()


def test_the_core_calendar_hook_reaches_the_engine(member, director, world):
    case = GrievanceCaseFactory(grievant=member.member, director=director)
    record(case, Kind.INCIDENT, D(2026, 11, 16), director)
    DistrictClosure.objects.create(district=world.district_a, day=D(2026, 11, 30), reason="storm")
    registry.calendar_changed([world.district_a.pk])
    assert CaseDeadline.objects.get(case=case).computed_due == D(2026, 12, 2)


def test_the_nightly_job_recomputes_every_district(member, director, world):
    from advocacy.tasks_deadlines import recompute_deadlines

    assert "advocacy-recompute-deadlines" in registry.beat_schedule()
    case = GrievanceCaseFactory(grievant=member.member, director=director, district=world.district_b)
    record(case, Kind.INCIDENT, D(2026, 11, 16), director)
    CaseDeadline.objects.filter(case=case).update(computed_due=D(2026, 11, 30), explanation="stale")
    assert recompute_deadlines.apply().get() == {"checked": 1, "changed": 1, "failed": 0}
    deadline = CaseDeadline.objects.get(case=case)
    assert deadline.computed_due == D(2026, 12, 1)
    assert deadline.status == "open"  # the job changes no status, even for a date long past


@pytest.fixture
def school_case(member, director, world):
    """A case on a one-step ladder counted in school days."""
    version, _ = ladder()
    from advocacy.models import CaseTypeVersion

    custom = CaseTypeVersion.objects.create(case_type=version.case_type, number=9, effective_from=D(2030, 1, 1),
                                            citation="test")
    StepRule.objects.create(version=custom, order=1, name="Answer in school days", party="district", days=10,
                            unit="school", anchor_event="incident", consequence="The employee may appeal.")
    SchoolYear.objects.create(district=world.district_a, first_day=D(2026, 8, 6), last_day=D(2027, 5, 21))
    return GrievanceCaseFactory(grievant=member.member, director=director, case_type_version=custom)


def test_school_days_follow_the_district_school_calendar(school_case, director, world):
    record(school_case, Kind.INCIDENT, D(2026, 11, 18), director)
    assert dues(school_case) == {1: D(2026, 12, 3)}  # Thanksgiving Day only
    SchoolBreak.objects.create(district=world.district_a, first_day=D(2026, 11, 23), last_day=D(2026, 11, 27),
                               reason="Thanksgiving break")
    deadlines_recompute(district_ids=[world.district_a.pk])
    assert dues(school_case) == {1: D(2026, 12, 9)}


def test_a_school_step_without_a_school_year_gets_no_date_and_says_why(school_case, director):
    SchoolYear.objects.all().delete()
    record(school_case, Kind.INCIDENT, D(2026, 11, 18), director)
    assert dues(school_case) == {}
    SchoolYear.objects.create(district=school_case.district, first_day=D(2026, 8, 6), last_day=D(2027, 5, 21))
    assert deadlines_recompute(district_ids=[school_case.district_id])["changed"] == 1
    assert dues(school_case) == {1: D(2026, 12, 3)}


def test_a_step_recorded_missed_lets_the_next_step_count_from_its_due_date(grievance, director, world):
    from advocacy.services.deadlines import deadline_missed_record

    _, steps = ladder()
    record(grievance, Kind.INCIDENT, D(2026, 11, 16), director)
    record(grievance, Kind.STEP_DONE, D(2026, 11, 20), director, step=steps[1])
    answer = CaseDeadline.objects.get(case=grievance, step=steps[2])
    assert answer.due == D(2026, 12, 7)  # the principal's answer: 10 working days, Thanksgiving skipped
    with pytest.raises(CaseDeadlineError, match="has not passed"):
        deadline_missed_record(deadline=answer, actor=director, today=D(2026, 12, 7))
    deadline_missed_record(deadline=answer, actor=director, note="No answer from the principal.", today=D(2026, 12, 8))
    answer.refresh_from_db()
    assert (answer.status, answer.done_on) == ("missed", None)
    appeal = CaseDeadline.objects.get(case=grievance, step=steps[3])
    assert appeal.due == D(2026, 12, 14)
    assert ('5 working days after the due date of "Level 1: principal\'s written answer" (missed) Mon Dec 7, 2026'
            in appeal.explanation)
    grievance.refresh_from_db()
    assert grievance.current_step == steps[3]
    assert CaseEvent.objects.filter(case=grievance, kind=Kind.OTHER, step=steps[2],
                                    description__contains="recorded missed. No answer").exists()
    with pytest.raises(CaseDeadlineError, match="missed already"):
        deadline_missed_record(deadline=answer, actor=director, today=D(2026, 12, 9))
    # a closure recomputes the next step from the same day, with the same words
    DistrictClosure.objects.create(district=world.district_a, day=D(2026, 12, 9), reason="ice storm")
    deadlines_recompute(district_ids=[world.district_a.pk])
    appeal.refresh_from_db()
    assert appeal.due == D(2026, 12, 15) and "(missed) Mon Dec 7, 2026" in appeal.explanation
