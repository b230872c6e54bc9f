"""Asking for help and the intake decisions: routing, membership on the incident date, emails, the
attorney referral allowance, liability coverage, and double submits that decide once."""

from datetime import date

import pytest
from django.urls import reverse

from advocacy.models import (
    AdvocacyPolicy,
    AttorneyReferral,
    CaseDocument,
    GrievanceCase,
    LiabilityClaim,
    RepresentationRequest,
)
from advocacy.services.requests import (
    AdvocacyError,
    membership_year_start,
    referral_allowance,
    request_accept,
    request_decline,
    request_open_claim,
    request_refer,
    request_submit,
    suggested_case_type,
)
from mae_portal.models import AuditLog, EmailDelivery
from members.models import CareerField
from tests.advocacy import cases_fixtures
from tests.advocacy.cases_fixtures import INCIDENT, TODAY, pdf_file, request_for
from tests.advocacy.factories import case_type, issue_category

today, paid_member, worksite_a = cases_fixtures.today, cases_fixtures.paid_member, cases_fixtures.worksite_a  # fixtures


def submit(user, district, **kwargs):
    values = dict(requester=user, district=district, worksite=None, supervisor="Principal Reed",
                  summary="Written reprimand", what_happened="A reprimand without a meeting.", incident_date=INCIDENT,
                  witnesses="", outcome_sought="Remove it.", urgency="routine")
    values.update(kwargs)
    return request_submit(**values)


# --- Membership on the incident date ------------------------------------------------------------------------

def test_a_paid_member_is_recorded_as_a_member_on_the_incident_date(paid_member, world, director):
    made = submit(paid_member, world.district_a)
    assert made.membership_on_incident == "member" and made.member == paid_member.member
    assert "ESP full-time" in made.membership_note and "2026-27" in made.membership_note


def test_a_member_before_joining_is_not_a_member_that_day(paid_member, world, director):
    made = submit(paid_member, world.district_a, incident_date=date(2026, 8, 1))
    assert made.membership_on_incident == "not_member"


def test_a_signed_in_person_with_no_member_record_may_ask(outsider, world, director):
    made = submit(outsider, world.district_a)
    assert made.member is None and made.membership_on_incident == "not_member"
    assert "No member record" in made.membership_note


def test_a_member_with_no_term_is_not_a_member(member, world, director):
    assert submit(member, world.district_a).membership_on_incident == "not_member"


# --- Routing and emails -----------------------------------------------------------------------------------------

def test_the_request_goes_to_every_director_of_the_district_region_once(paid_member, world, director, director2,
                                                                      django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    second = UserFactory(email="director.two@example.org")
    world.region_a.directors.add(second)
    made = submit(paid_member, world.district_a, submission_key="k1")
    again = submit(paid_member, world.district_a, submission_key="k1")  # a double submit
    assert again.pk == made.pk and RepresentationRequest.objects.count() == 1
    emails = EmailDelivery.objects.filter(template_name="advocacy-request-new")
    assert sorted(emails.values_list("to", flat=True)) == ["director.two@example.org", "director@example.org"]
    for email in emails:
        assert email.subject == "A new request for help in North Mississippi"  # no detail of the case
        assert "reprimand" not in (email.subject + email.body_text).lower()
    assert made.region == world.region_a


def test_a_future_incident_date_is_refused_by_the_form(client, paid_member, world, today):
    client.force_login(paid_member)
    response = client.post(reverse("advocacy:help"), {
        "summary": "x", "what_happened": "y", "incident_date": "2026-11-03", "district": world.district_a.pk,
        "outcome_sought": "z", "urgency": "routine", "submission_key": "k"})
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    assert RepresentationRequest.objects.count() == 0


def test_asking_through_the_page_with_documents(client, paid_member, world, worksite_a, director, today):
    client.force_login(paid_member)
    page = client.get(reverse("advocacy:help"))
    assert page.status_code == 200 and 'name="submission_key"' in page.content.decode()
    response = client.post(reverse("advocacy:help"), {
        "summary": "Reprimand", "what_happened": "It happened.", "incident_date": INCIDENT.isoformat(),
        "district": world.district_a.pk, "worksite": worksite_a.pk, "supervisor": "Dana Reed",
        "witnesses": "Bo Lee", "outcome_sought": "Remove it.", "urgency": "soon", "submission_key": "abc",
        "documents": [pdf_file("reprimand.pdf"), pdf_file("schedule.pdf")]})
    made = RepresentationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("advocacy:help_sent", args=[made.pk])
    assert sorted(CaseDocument.objects.filter(request=made).values_list("document__title", flat=True)) == [
        "reprimand.pdf", "schedule.pdf"]
    sent = client.get(response["Location"]).content.decode()
    assert "A member in good standing on the incident date" in sent and "reprimand.pdf" in sent
    assert AuditLog.objects.filter(action="advocacy.request_submitted").count() == 1


def test_the_worksites_follow_the_district(client, paid_member, world, worksite_a):
    from tests.factories import WorksiteFactory

    WorksiteFactory(district=world.district_b, name="Greenville High School")
    client.force_login(paid_member)
    html = client.get(reverse("advocacy:help_worksites"), {"district": world.district_a.pk}).content.decode()
    assert "Tupelo High School" in html and "Greenville High School" not in html


# --- Accepting ----------------------------------------------------------------------------------------------

def test_suggested_case_type_follows_the_career_field(paid_member, world):
    member = paid_member.member
    assert suggested_case_type(member, member.employer_district).kind == "grievance"  # ESP: transportation services
    member.career_field = CareerField.objects.filter(kind="professional").first()
    assert suggested_case_type(member, member.employer_district).kind == "nonrenewal"
    assert suggested_case_type(None, None).kind == "grievance"


def test_accepting_twice_opens_one_case(paid_member, world, director):
    made = request_for(paid_member)
    kwargs = dict(request_id=made.pk, actor=director, case_type=case_type(), title="Reprimand",
                  issue_category=issue_category(), director=director, filed_on=TODAY)
    case = request_accept(**kwargs)
    again = request_accept(**kwargs)
    assert again.pk == case.pk and GrievanceCase.objects.count() == 1
    assert case.number == f"2026-{case.sequence:04d}"
    assert list(case.grievants.all()) == [paid_member.member]
    assert case.current_step.order == 1 and case.case_type_version.number == 1
    assert case.events.filter(kind="incident", occurred_on=made.incident_date).exists()
    made.refresh_from_db()
    assert made.status == "accepted" and made.decided_by == director
    with pytest.raises(AdvocacyError):
        request_decline(request_id=made.pk, actor=director, reason="No.")


def test_accepting_through_the_pages_reviews_then_confirms(client, paid_member, world, director, today):
    made = request_for(paid_member)
    client.force_login(director)
    url = reverse("advocacy:intake_accept", args=[made.pk])
    form = client.get(url).content.decode()
    assert "District grievance policy" in form and 'selected>District grievance policy' in form
    data = {"case_type": case_type().pk, "title": "Reprimand", "issue_category": issue_category().pk,
            "director": director.pk, "filed_on": TODAY.isoformat()}
    review = client.post(url, data)
    assert "Check, then confirm" in review.content.decode() and GrievanceCase.objects.count() == 0
    done = client.post(url, {**data, "confirm": "1"})
    double = client.post(url, {**data, "confirm": "1"})
    case = GrievanceCase.objects.get()
    assert done["Location"] == reverse("advocacy:case_detail", args=[case.pk])
    assert double.status_code == 302 and GrievanceCase.objects.count() == 1


# --- Declining -------------------------------------------------------------------------------------------

def test_declining_needs_a_reason_the_member_reads_and_emails_without_it(client, paid_member, world, director):
    made = request_for(paid_member)
    with pytest.raises(AdvocacyError):
        request_decline(request_id=made.pk, actor=director, reason="  ")
    request_decline(request_id=made.pk, actor=director, reason="Outside what MAE can act on: call the state board.")
    request_decline(request_id=made.pk, actor=director, reason="Again")  # a double submit changes nothing
    made.refresh_from_db()
    assert made.status == "declined" and made.decline_reason.startswith("Outside")
    email = EmailDelivery.objects.get(template_name="advocacy-request-answered")
    assert email.to == paid_member.email and "state board" not in email.body_text
    client.force_login(paid_member)
    assert "call the state board" in client.get(reverse("advocacy:my_cases")).content.decode()


# --- Attorney referrals --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "start"), [
    (date(2026, 9, 1), date(2026, 9, 1)), (date(2027, 8, 31), date(2026, 9, 1)), (date(2026, 8, 31), date(2025, 9, 1)),
    (date(2027, 1, 1), date(2026, 9, 1)),
])
def test_the_membership_year_runs_september_to_august(day, start):
    assert membership_year_start(day) == start


def test_referrals_are_counted_per_membership_year(paid_member, world, director, region_manager):
    first, second, third = (request_for(paid_member) for _ in range(3))
    assert referral_allowance(paid_member.member, today=TODAY).label == "0 of 1 used"
    request_refer(request_id=first.pk, actor=director, attorney="Smith Law", notes="", today=TODAY)
    request_refer(request_id=first.pk, actor=director, attorney="Smith Law", notes="", today=TODAY)  # double submit
    allowance = referral_allowance(paid_member.member, today=TODAY)
    assert allowance.used == 1 and allowance.left == 0 and "none left" in allowance.label
    with pytest.raises(AdvocacyError, match="No free consultation left for 2026-27"):
        request_refer(request_id=second.pk, actor=director, attorney="", notes="", today=TODAY)
    with pytest.raises(AdvocacyError):  # a region manager must say why
        request_refer(request_id=second.pk, actor=region_manager, attorney="", notes="", today=TODAY)
    request_refer(request_id=second.pk, actor=region_manager, attorney="", notes="", today=TODAY,
                  beyond_limit_reason="Termination hearing next week")
    assert "Termination hearing" in AttorneyReferral.objects.get(request=second).notes
    # The next membership year starts afresh.
    request_refer(request_id=third.pk, actor=director, attorney="", notes="", today=date(2027, 9, 1))
    assert AttorneyReferral.objects.filter(member=paid_member.member).count() == 3


def test_the_policy_sets_the_number_of_free_consultations(paid_member, world, director):
    AdvocacyPolicy.objects.update_or_create(pk=AdvocacyPolicy.current().pk or 1, defaults={"free_consultations_per_year": 2})
    first, second = request_for(paid_member), request_for(paid_member)
    request_refer(request_id=first.pk, actor=director, attorney="", notes="", today=TODAY)
    assert referral_allowance(paid_member.member, today=TODAY).label == "1 of 2 used"
    request_refer(request_id=second.pk, actor=director, attorney="", notes="", today=TODAY)


def test_a_person_without_a_member_record_cannot_be_referred(outsider, world, director):
    made = submit(outsider, world.district_a)
    with pytest.raises(AdvocacyError, match="member benefit"):
        request_refer(request_id=made.pk, actor=director, attorney="", notes="", today=TODAY)


# --- Liability claims -----------------------------------------------------------------------------------------

def test_a_claim_is_covered_only_for_an_incident_during_membership(paid_member, world, director):
    during = request_for(paid_member, incident_date=INCIDENT)
    before = request_for(paid_member, incident_date=date(2026, 6, 1))
    assert request_open_claim(request_id=during.pk, actor=director, notes="").covered is True
    assert request_open_claim(request_id=before.pk, actor=director, notes="").covered is False
    request_open_claim(request_id=before.pk, actor=director, notes="")  # double submit: one claim
    assert LiabilityClaim.objects.count() == 2


def test_intake_pages_show_membership_and_the_allowance(client, paid_member, world, director, today):
    made = request_for(paid_member, membership_note="Member on Oct 20, 2026: ESP full-time")
    client.force_login(director)
    queue = client.get(reverse("advocacy:intake_queue")).content.decode()
    assert made.summary in queue and "Yes" in queue
    detail = client.get(reverse("advocacy:intake_detail", args=[made.pk])).content.decode()
    assert "0 of 1 used" in detail and "Member on Oct 20, 2026" in detail
    assert AuditLog.objects.filter(action="advocacy.request_viewed", object_id=str(made.pk)).exists()
