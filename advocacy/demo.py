"""Demo caseload: requests and cases in every UniServ region and state, so every persona meets a real desk.

Per region: new requests waiting in intake (one urgent), a declined one and an attorney referral; grievances
at each level of the district policy, one with the district's answer overdue; nonrenewal cases before and
after the hearing was scheduled; closed cases with each outcome; notes, shared updates and extensions. The
persona member has a request and a case with a shared update and a private note. Dates count back from
`today`, and every due date comes from the deadline engine (advocacy.services.deadlines), as on a live case.

Idempotent: a region that already has demo cases is left as it is.
"""

import random
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from advocacy.models import (
    AttorneyReferral,
    CaseEvent,
    CaseNote,
    CaseType,
    CaseTypeVersion,
    CaseUpdate,
    GrievanceCase,
    IssueCategory,
    RepresentationRequest,
)
from advocacy.reference import ensure_reference_data
from advocacy.services.deadlines import case_deadlines_refresh, case_event_record, deadline_extension_record
from mae_portal.permissions import Groups
from members.models import Member, UniServRegion, User

REGION_DIRECTORS = {  # regions without a persona director get a demo one
    3: ("director3@example.org", "Loretta", "Nettles"),
    4: ("director4@example.org", "Curtis", "Ladner"),
}
SUPERVISORS = ["Principal Dana Reed", "Principal Howard Fields", "Transportation Director Ray Coleman",
               "Child Nutrition Director Ann Bell", "Assistant Principal Leon Scott", "Principal Dana Reed"]
ESP_ISSUES = [
    ("Written reprimand without the meeting policy requires", "Discipline",
     "A written reprimand was placed in the file without the conference district policy GAE requires.",
     "Remove the reprimand from the personnel file."),
    ("Route hours cut without notice", "Pay and benefits",
     "Two afternoon routes were combined and paid hours cut from 7 to 5.5 a day with no notice.",
     "Restore the hours and pay the difference since the change."),
    ("Unsafe chemical storage in the kitchen", "Health and safety",
     "Cleaning chemicals are stored above food preparation areas; a complaint to the manager was ignored.",
     "Move the chemicals and train staff as the safety data sheets require."),
    ("Involuntary transfer to another site", "Transfer or assignment",
     "Transferred to a site 30 miles away the day after raising a concern about overtime.",
     "Return to the original site; no retaliation."),
]
TEACHER_ISSUES = [
    ("Evaluation scored without an observation", "Evaluation",
     "The summative evaluation scores a domain that was never observed.",
     "Rescore the domain after an observation, or remove it."),
    ("Duty-free lunch taken away", "Working conditions",
     "Lunch duty was assigned every day this semester; the policy guarantees a duty-free lunch period.",
     "Restore the duty-free lunch period."),
]
OUTCOMES = [
    (GrievanceCase.Outcome.WON, "The reprimand was removed from the file."),
    (GrievanceCase.Outcome.SETTLED, "Hours restored from January; half the back pay."),
    (GrievanceCase.Outcome.LOST, ""),
    (GrievanceCase.Outcome.WITHDRAWN, ""),
]


_TODAY = [None]  # the loader's today, for the events it records


def demo_loader(*, today: date, options: dict) -> list[str]:
    _TODAY[0] = today
    ensure_reference_data()
    grievance = _version(CaseType.Kind.GRIEVANCE)
    nonrenewal = _version(CaseType.Kind.NONRENEWAL)
    made = 0
    for region in UniServRegion.objects.order_by("number"):
        director = _director(region)
        if director is None or GrievanceCase.objects.filter(region=region).exists():
            continue
        rng = random.Random(f"mae-demo-cases-{region.number}")
        members = list(Member.objects.filter(employer_district__region=region)
                       .exclude(user__email__in=["member@example.org", "leader@example.org"])
                       .select_related("employer_district", "worksite", "career_field", "user")[:40])
        if len(members) < 16:
            continue
        made += _region_caseload(region, director, members, rng, today=today, grievance=grievance, nonrenewal=nonrenewal)
    made += _persona_case(today=today, grievance=grievance)
    return [f"Demo caseload ready: {GrievanceCase.objects.count()} cases ({made} new), "
            f"{RepresentationRequest.objects.filter(status='new').count()} requests waiting in intake."]


def _version(kind):
    return CaseTypeVersion.objects.filter(case_type__kind=kind).order_by("-effective_from").first()


def _director(region):
    director = region.directors.order_by("pk").first()
    if director is not None or region.number not in REGION_DIRECTORS:
        return director
    email, first, last = REGION_DIRECTORS[region.number]
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, settings.DEMO_PASSWORD, first_name=first, last_name=last)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    user.groups.add(*Group.objects.filter(name=Groups.UNISERV_DIRECTORS))
    region.directors.add(user)
    return user


def _with_account(member):
    """Requests come from people who signed in: give a demo member an account (the demo password)."""
    if member.user_id is None:
        member.user = User.objects.create_user(member.email, settings.DEMO_PASSWORD, first_name=member.legal_first_name,
                                               last_name=member.legal_last_name)
        member.save(update_fields=["user"])
    return member.user


def _membership_on(member, day):
    from members.selectors.terms import term_covering

    term = term_covering(member, day)
    if term is None:
        return RepresentationRequest.Membership.NOT_MEMBER, "No membership covered the incident date."
    if term.status in ("active", "grace"):
        return RepresentationRequest.Membership.MEMBER, f"Member: {term.category.name}, {term.start:%b %-d, %Y} to {term.end:%b %-d, %Y}"
    return RepresentationRequest.Membership.LAPSED, f"Membership {term.status} on the incident date"


def _request(member, *, today, days_ago, summary, issue, urgency=RepresentationRequest.Urgency.ROUTINE,
             status=RepresentationRequest.Status.NEW, decided_by=None, decline_reason=""):
    user = _with_account(member)
    incident = today - timedelta(days=days_ago + 3)
    standing, note = _membership_on(member, incident)
    request = RepresentationRequest.objects.create(
        requester=user, member=member, region=member.employer_district.region, district=member.employer_district,
        worksite=member.worksite, supervisor=SUPERVISORS[member.pk % len(SUPERVISORS)], summary=summary,
        what_happened=issue[2], incident_date=incident, outcome_sought=issue[3], urgency=urgency,
        membership_on_incident=standing, membership_note=note, status=status, decline_reason=decline_reason,
        decided_by=decided_by, decided_at=timezone.now() if decided_by else None,
    )
    RepresentationRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return request


def _case(member, director, version, *, filed_on, issue, request=None, extra_grievants=()):
    title, category, facts, remedy = issue
    case = GrievanceCase.objects.create(
        request=request, case_type_version=version, region=member.employer_district.region, director=director,
        district=member.employer_district, worksite=member.worksite, supervisor=SUPERVISORS[member.pk % len(SUPERVISORS)],
        issue_category=IssueCategory.objects.get(name=category), title=title, facts=facts, remedy_sought=remedy,
        policy_cited=version.citation, filed_on=filed_on,
    )
    case.grievants.add(member, *extra_grievants)
    return case


def _steps(version):
    return {step.order: step for step in version.steps.all()}


def _event(case, kind, day, director, *, step=None, description="", shared=True):
    case_event_record(case=case, kind=kind, occurred_on=day, actor=director, step=step, description=description,
                      shared=shared, today=_TODAY[0])


def _region_caseload(region, director, members, rng, *, today, grievance, nonrenewal) -> int:
    esp = [m for m in members if m.career_field and m.career_field.kind == "esp"]
    licensed = [m for m in members if m.career_field and m.career_field.kind == "professional"] or members[:4]
    esp = esp or members
    g = _steps(grievance)
    n = _steps(nonrenewal)
    made = 0

    # Intake: waiting, urgent, declined, referred.
    _request(licensed[0], today=today, days_ago=1, summary="Nonrenewal notice received", issue=TEACHER_ISSUES[0],
             urgency=RepresentationRequest.Urgency.DEADLINE)
    _request(esp[0], today=today, days_ago=2, summary="Reprimand for a late route", issue=ESP_ISSUES[0])
    _request(esp[1], today=today, days_ago=12, summary="Question about leave", issue=ESP_ISSUES[1],
             status=RepresentationRequest.Status.DECLINED, decided_by=director,
             decline_reason="This is a question for your district's benefits office; we sent you their number. "
                            "Ask again if they do not answer within a week.")
    referred = _request(esp[2], today=today, days_ago=20, summary="Injury on the job", issue=ESP_ISSUES[2],
                        status=RepresentationRequest.Status.REFERRED, decided_by=director)
    AttorneyReferral.objects.create(request=referred, member=esp[2], referred_by=director,
                                    membership_year_start=date(today.year if today.month >= 9 else today.year - 1, 9, 1),
                                    attorney="MAE attorney referral program")

    # Grievances, one at each level.
    level1 = _case(esp[3], director, grievance, filed_on=today - timedelta(days=4), issue=ESP_ISSUES[0],
                   request=_request(esp[3], today=today, days_ago=5, summary="Reprimand", issue=ESP_ISSUES[0],
                                    status=RepresentationRequest.Status.ACCEPTED, decided_by=director))
    _event(level1, CaseEvent.Kind.INCIDENT, today - timedelta(days=6), director, description="Reprimand handed over.")
    level2 = _case(esp[4], director, grievance, filed_on=today - timedelta(days=15), issue=ESP_ISSUES[1])
    _event(level2, CaseEvent.Kind.INCIDENT, today - timedelta(days=18), director)
    _event(level2, CaseEvent.Kind.STEP_DONE, today - timedelta(days=14), director, step=g[1],
           description="Level-1 grievance filed with the principal.")
    _event(level2, CaseEvent.Kind.STEP_DONE, today - timedelta(days=4), director, step=g[2],
           description="The principal denied the grievance in writing.")
    CaseUpdate.objects.create(case=level2, author=director, body="The principal said no. We appeal to the "
                              "superintendent this week; I will send you the draft to read first.")
    CaseNote.objects.create(case=level2, author=director, body="Principal hinted the routes may be restored in "
                            "January; do not mention to grievant until confirmed.")
    overdue = _case(esp[5], director, grievance, filed_on=today - timedelta(days=45), issue=ESP_ISSUES[3],
                    extra_grievants=esp[6:8])
    _event(overdue, CaseEvent.Kind.INCIDENT, today - timedelta(days=47), director)
    _event(overdue, CaseEvent.Kind.STEP_DONE, today - timedelta(days=40), director, step=g[1],
           description="Group grievance filed for three bus drivers.")
    level3 = _case(esp[8], director, grievance, filed_on=today - timedelta(days=31), issue=ESP_ISSUES[2])
    _event(level3, CaseEvent.Kind.INCIDENT, today - timedelta(days=32), director)
    for order, days_ago in [(1, 30), (2, 24), (3, 21), (4, 10)]:
        _event(level3, CaseEvent.Kind.STEP_DONE, today - timedelta(days=days_ago), director, step=g[order])
    deadline = level3.deadlines.filter(step=g[5]).first()
    if deadline is not None and deadline.status == "open":
        deadline_extension_record(deadline=deadline, agreed_by="Superintendent's office (Dr. Carla Hughes)",
                                  agreed_on=today - timedelta(days=2), until=deadline.due + timedelta(days=14),
                                  actor=director, shared=True, today=today)
    made += 4

    # Nonrenewal: just noticed; hearing scheduled.
    notice = _case(licensed[1 % len(licensed)], director, nonrenewal, filed_on=today - timedelta(days=2),
                   issue=("Nonrenewal for the next school year", "Dismissal or nonrenewal",
                          "Notice of nonrenewal received with no reasons given.", "Renewal of the contract."))
    _event(notice, CaseEvent.Kind.NOTICE_RECEIVED, today - timedelta(days=3), director)
    hearing = _case(licensed[2 % len(licensed)], director, nonrenewal, filed_on=today - timedelta(days=15),
                    issue=("Nonrenewal after a new principal arrived", "Dismissal or nonrenewal",
                           "Nonrenewal notice after eleven years of proficient evaluations.", "Renewal of the contract."))
    _event(hearing, CaseEvent.Kind.NOTICE_RECEIVED, today - timedelta(days=16), director)
    _event(hearing, CaseEvent.Kind.STEP_DONE, today - timedelta(days=12), director, step=n[1],
           description="Hearing requested in writing (37-9-109).")
    _event(hearing, CaseEvent.Kind.HEARING_SCHEDULED, today + timedelta(days=rng.randint(18, 24)), director,
           description="Board hearing at the central office, 5:30 p.m.")
    made += 2

    # Closed, one of each outcome.
    for i, (outcome, remedy) in enumerate(OUTCOMES):
        member = members[(9 + i) % len(members)]
        closed = _case(member, director, grievance, filed_on=today - timedelta(days=200 + 40 * i), issue=ESP_ISSUES[i])
        _event(closed, CaseEvent.Kind.INCIDENT, closed.filed_on - timedelta(days=2), director)
        _event(closed, CaseEvent.Kind.STEP_DONE, closed.filed_on + timedelta(days=3), director, step=g[1])
        GrievanceCase.objects.filter(pk=closed.pk).update(
            status=GrievanceCase.Status.CLOSED, outcome=outcome, remedy_obtained=remedy,
            closed_on=closed.filed_on + timedelta(days=60))
        closed.deadlines.filter(status="open").update(status="moot")
        made += 1
    return made


def _persona_case(*, today, grievance) -> int:
    member = Member.objects.filter(user__email="member@example.org").select_related(
        "employer_district__region", "worksite", "user").first()
    if member is None or member.grievance_cases.exists():
        return 0
    director = member.employer_district.region.directors.order_by("pk").first()
    if director is None:
        return 0
    issue = ("Route changed without the notice policy requires", "Working conditions",
             "My morning route was changed the same morning, and I was written up for being late.",
             "Remove the write-up; a week's notice before route changes.")
    request = _request(member, today=today, days_ago=9, summary="Written up after a route change", issue=issue,
                       status=RepresentationRequest.Status.ACCEPTED, decided_by=director)
    case = _case(member, director, grievance, filed_on=today - timedelta(days=8), issue=issue, request=request)
    _event(case, CaseEvent.Kind.INCIDENT, today - timedelta(days=12), director, description="Write-up received.")
    _event(case, CaseEvent.Kind.STEP_DONE, today - timedelta(days=6), director, step=_steps(grievance)[1],
           description="Level-1 grievance filed with the principal.")
    CaseUpdate.objects.create(case=case, author=director, body="I filed your grievance with the principal. The "
                              "district has 10 working days to answer in writing; I will tell you when it comes.")
    CaseNote.objects.create(case=case, author=director, body="Transportation director admits the route change "
                            "was posted late; good chance of settlement.")
    _request(member, today=today, days_ago=1, summary="Question about a second write-up", issue=issue)
    case_deadlines_refresh(case=case, today=today)
    return 1
