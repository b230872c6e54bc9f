"""The deadlines panel and its forms: what a director sees and records, errors next to the field, nothing
stored on bad input, a double submit recorded once."""

import re
from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import reverse

from advocacy.case_panels import case_panels_for
from advocacy.models import CaseDeadline, CaseEvent, CaseType
from advocacy.services.deadlines import case_event_record
from mae_portal.models import AuditLog
from members import clock
from tests.advocacy.factories import GrievanceCaseFactory, ladder

D = date
TODAY = D(2026, 12, 2)
Kind = CaseEvent.Kind


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def case(member, director):
    case = GrievanceCaseFactory(grievant=member.member, director=director)
    case_event_record(case=case, kind=Kind.INCIDENT, occurred_on=D(2026, 11, 16), actor=director, today=TODAY)
    return case


@pytest.fixture
def staff_client(client, director):
    client.force_login(director)
    return client


def page(client, case):
    response = client.get(reverse("advocacy:case_deadlines", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_shows_each_step_with_its_date_explanation_party_and_consequence(staff_client, case):
    html = page(staff_client, case)
    assert "Level 1: written grievance to the principal" in html
    assert "Tue Dec 1, 2026" in html
    assert "10 working days after the incident Mon Nov 16, 2026 (not counting weekends and Thu Nov 26 " \
           "(Thanksgiving Day)) is Tue Dec 1." in html
    assert "The employee" in html and "The grievance is waived." in html
    assert re.search(r"Overdue</strong> by 1 day\b", html)  # due Dec 1, today Dec 2
    assert "Starts when “Level 1: written grievance to the principal” is recorded done." in html
    assert AuditLog.objects.filter(action="case.deadlines_viewed", object_id=str(case.pk)).exists()


def test_the_panel_is_registered_for_the_case_page(case, director):
    request = RequestFactory().get(f"/advocacy/cases/{case.pk}/")
    request.user = director
    panels = {panel["name"]: panel for panel in case_panels_for(case, request)}
    assert panels["deadlines"]["template"] == "advocacy/cases/_deadlines.html"
    context = panels["deadlines"]["context"]
    assert [row.state for row in context["rows"]] == ["overdue", "waiting", "waiting", "waiting", "waiting", "waiting"]
    assert context["event_form"]["next"].value() == f"/advocacy/cases/{case.pk}/"


def test_recording_an_event_is_reviewed_then_confirmed_once(staff_client, case):
    _, steps = ladder()
    url = reverse("advocacy:case_event_new", args=[case.pk])
    form = {"kind": "step_done", "occurred_on": "2026-11-30", "step": steps[1].pk, "description": "Filed by hand",
            "token": "tok-1", "next": f"/advocacy/cases/{case.pk}/"}
    review = staff_client.post(url, form)
    assert review.status_code == 200
    assert "Check, then confirm" in review.content.decode()
    assert not CaseEvent.objects.filter(kind=Kind.STEP_DONE).exists()  # the review stores nothing
    assert not AuditLog.objects.filter(action="case.event_recorded", changes__form_token="tok-1").exists()
    for _ in range(2):  # a double submit
        done = staff_client.post(url, {**form, "confirm": "1"})
        assert done.status_code == 302 and done["Location"] == f"/advocacy/cases/{case.pk}/"
    assert CaseEvent.objects.filter(case=case, kind=Kind.STEP_DONE).count() == 1
    html = page(staff_client, case)
    assert "<strong>Met</strong>: done Mon Nov 30, 2026" in html
    assert CaseDeadline.objects.get(case=case, step=steps[2]).computed_due == D(2026, 12, 14)


def test_a_foreign_next_address_is_not_followed(staff_client, case):
    response = staff_client.post(reverse("advocacy:case_event_new", args=[case.pk]), {
        "kind": "other", "occurred_on": "2026-11-30", "description": "Called the principal", "token": "t",
        "next": "https://evil.example/", "confirm": "1"})
    assert response["Location"] == reverse("advocacy:case_deadlines", args=[case.pk])


def test_bad_input_shows_the_error_next_to_the_field_and_stores_nothing(staff_client, member, director):
    version, _ = ladder(CaseType.Kind.NONRENEWAL)
    case = GrievanceCaseFactory(grievant=member.member, director=director, case_type_version=version)
    case_event_record(case=case, kind=Kind.NOTICE_RECEIVED, occurred_on=D(2026, 11, 2), actor=director, today=TODAY)
    events = CaseEvent.objects.count()
    for extra in ({}, {"confirm": "1"}):
        response = staff_client.post(reverse("advocacy:case_event_new", args=[case.pk]), {
            "kind": "hearing_scheduled", "occurred_on": "2026-10-30", "token": "t2", **extra})
        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(r'<p class="field-error" id="id_occurred_on-error">The hearing cannot come before the notice',
                         html)
        assert 'class="error-summary"' in html
    assert CaseEvent.objects.count() == events
    assert not CaseDeadline.objects.filter(case=case, step__order=2).exists()


def test_override_needs_a_reason_next_to_its_field(staff_client, case):
    deadline = CaseDeadline.objects.get(case=case)
    url = reverse("advocacy:deadline_override", args=[case.pk, deadline.pk])
    response = staff_client.post(url, {"due": "2026-12-04", "reason": "", "token": "t", "confirm": "1"})
    assert 'id="id_reason-error"' in response.content.decode()
    assert CaseDeadline.objects.get(pk=deadline.pk).override_due is None
    response = staff_client.post(url, {"due": "2026-12-04", "reason": "Principal on leave", "token": "t",
                                       "confirm": "1"})
    assert response.status_code == 302
    html = page(staff_client, case)
    assert "Fri Dec 4, 2026" in html and "Principal on leave" in html and "(computed date: Dec 1, 2026)" in html
    assert "Open: 2 days left" in html


def test_extension_form_refuses_an_earlier_date_then_moves_the_date(staff_client, case):
    deadline = CaseDeadline.objects.get(case=case)
    url = reverse("advocacy:deadline_extension", args=[case.pk, deadline.pk])
    bad = staff_client.post(url, {"agreed_by": "Dr. Ellis", "agreed_on": "2026-11-30", "until": "2026-11-30",
                                  "token": "t"})
    assert re.search(r'id="id_until-error">An extension must run past the current due date, Tue Dec 1, 2026',
                     bad.content.decode())
    assert not CaseEvent.objects.filter(kind=Kind.EXTENSION).exists()
    form = {"agreed_by": "Dr. Ellis, superintendent", "agreed_on": "2026-11-30", "until": "2026-12-11",
            "token": "t3", "shared": "on", "confirm": "1"}
    for _ in range(2):
        assert staff_client.post(url, form).status_code == 302
    assert CaseEvent.objects.filter(case=case, kind=Kind.EXTENSION).count() == 1
    html = page(staff_client, case)
    assert "Fri Dec 11, 2026" in html
    assert "Extended by agreement with Dr. Ellis, superintendent on Nov 30, 2026" in html
    assert "Extension agreed, Nov 30, 2026" in html  # the date changes list on the panel


def test_query_count_does_not_grow_with_deadlines(staff_client, case, director, django_assert_max_num_queries):
    _, steps = ladder()
    with django_assert_max_num_queries(30) as few:
        page(staff_client, case)
    for order, day in ((1, D(2026, 11, 20)), (2, D(2026, 11, 24)), (3, D(2026, 11, 25)), (4, D(2026, 11, 30)),
                       (5, D(2026, 12, 1))):
        case_event_record(case=case, kind=Kind.STEP_DONE, occurred_on=day, actor=director, step=steps[order],
                          today=TODAY)
    assert CaseDeadline.objects.filter(case=case).count() == 6
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(staff_client, case)


def test_case_types_pages(client, director, django_assert_max_num_queries):
    client.force_login(director)
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("advocacy:case_types"))
    html = response.content.decode()
    assert "Nonrenewal of a licensed employee" in html and "District grievance policy (MSBA model GAE)" in html
    grievance = ladder()[0].case_type
    for n in range(5):  # more types and versions: no more queries
        extra = CaseType.objects.create(name=f"Policy {n}", kind="grievance")
        extra.versions.create(number=1, effective_from=D(2020, 1, 1), citation="GAE")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("advocacy:case_types"))
    detail = client.get(reverse("advocacy:case_type_detail", args=[grievance.pk])).content.decode()
    assert "Level 2: appeal to the superintendent" in detail
    assert "5 working days after the step &quot;Level 1: principal&#x27;s written answer&quot; done" in detail
    nonrenewal = ladder(CaseType.Kind.NONRENEWAL)[0].case_type
    detail = client.get(reverse("advocacy:case_type_detail", args=[nonrenewal.pk])).content.decode()
    assert "At least 14 calendar days before the hearing" in detail


def test_an_overdue_deadline_is_recorded_missed_from_the_panel(staff_client, case):
    deadline = CaseDeadline.objects.get(case=case)
    html = page(staff_client, case)
    missed_url = reverse("advocacy:deadline_missed", args=[case.pk, deadline.pk])
    assert missed_url in html  # overdue: due Dec 1, today Dec 2
    response = staff_client.post(missed_url, {"token": "t9", "note": "Not filed", "confirm": "1",
                                              "next": f"/advocacy/cases/{case.pk}/"})
    assert response.status_code == 302
    html = page(staff_client, case)
    assert "<strong class=\"status-failed\">Missed</strong>: not done by the date" in html
    assert missed_url not in html
