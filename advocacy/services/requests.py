"""Intake: a person asks for help; a director accepts (opens a case), declines, refers to an attorney or
opens a liability claim.

Every service is atomic and audited. The decisions lock the request row (select_for_update), so a
double submit or two directors at once decide once: a request accepted twice opens one case (the
case's one-to-one to its request guards it too). Emails are written to the outbox in the transaction
and handed to the workers after it commits (mae_portal.emails.send_email).
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from advocacy.models import (
    AdvocacyPolicy,
    AttorneyReferral,
    CaseDocument,
    CaseEvent,
    CaseType,
    GrievanceCase,
    LiabilityClaim,
    RepresentationRequest,
)
from advocacy.selectors.case_types import suggested_case_type, version_in_force  # noqa: F401
from advocacy.services.deadlines import case_deadlines_refresh
from mae_portal.audit import audit_record
from mae_portal.emails import send_email
from mae_portal.models import StoredDocument
from mae_portal.permissions import is_region_manager
from mae_portal.uploads import upload_store
from members.models import Member
from members.selectors.terms import term_covering

CASE_DOCUMENT_KIND = "case-document"


class AdvocacyError(Exception):
    """A decision we refuse, with a sentence for the person who asked for it."""


# --- Membership on the incident date -------------------------------------------------------------------------

def membership_on(member: Member | None, day: date) -> tuple[str, str]:
    """(RepresentationRequest.Membership value, a sentence) for "was this person a member on `day`?",
    from membership's own answer (members.selectors.terms.term_covering)."""
    Membership = RepresentationRequest.Membership
    if member is None:
        return Membership.NOT_MEMBER, "No member record: not a member on the incident date."
    term = term_covering(member, day)
    if term is not None and term.status in ("active", "grace"):
        state = "paid up" if term.status == "active" else "in the grace period"
        return Membership.MEMBER, f"Member on {day:%b %-d, %Y}: {term.category}, {term.year_label} term, {state}."
    if term is not None and term.status == "lapsed":
        return Membership.LAPSED, f"Lapsed on {day:%b %-d, %Y}: the {term.year_label} term was not paid up."
    if term is not None:
        return Membership.NOT_MEMBER, f"Not a member on {day:%b %-d, %Y}: the {term.year_label} term was {term.status}."
    earlier = member.terms.filter(period__endswith__lte=day, cancelled_at__isnull=True).order_by("-membership_year").first()
    if earlier is not None:
        return Membership.LAPSED, (f"Lapsed on {day:%b %-d, %Y}: the last membership was {earlier.year_label}, "
                                   f"ending {earlier.end:%b %-d, %Y}.")
    return Membership.NOT_MEMBER, f"Not a member on {day:%b %-d, %Y}: no membership covers that day."


def member_of(user) -> Member | None:
    return Member.objects.filter(user=user).first() if user.is_authenticated else None


# --- Asking for help -----------------------------------------------------------------------------------------

@transaction.atomic
def request_submit(*, requester, district, worksite, supervisor: str, summary: str, what_happened: str,
                   incident_date: date, witnesses: str, outcome_sought: str, urgency: str, files=(),
                   submission_key: str = "", ip: str | None = None) -> RepresentationRequest:
    """Record a request for help from `requester` (a member, a lapsed member or anyone signed in), routed
    to the region of `district`, with its documents; email every director of that region.

    The same `submission_key` sent again returns the first request and stores nothing more. An upload
    refused by the core's checks raises mae_portal.uploads.UploadRefused and nothing is kept (no request,
    no document row, no file)."""
    if submission_key:
        existing = RepresentationRequest.objects.filter(requester=requester, submission_key=submission_key).first()
        if existing is not None:
            return existing
    if worksite is not None and worksite.district_id != district.pk:
        raise AdvocacyError(f"Choose a worksite of {district}.")
    member = member_of(requester)
    status, note = membership_on(member, incident_date)
    try:
        with transaction.atomic():
            request = RepresentationRequest.objects.create(
                requester=requester, member=member, region=district.region, district=district, worksite=worksite,
                supervisor=supervisor, summary=summary, what_happened=what_happened, incident_date=incident_date,
                witnesses=witnesses, outcome_sought=outcome_sought, urgency=urgency,
                membership_on_incident=status, membership_note=note, submission_key=submission_key)
    except IntegrityError:  # the same form sent twice at the same moment: the other one made it
        return RepresentationRequest.objects.get(requester=requester, submission_key=submission_key)
    audit_record(actor=requester, action="advocacy.request_submitted", obj=request, ip=ip,
                 changes={"region": str(request.region), "membership_on_incident": status, "urgency": urgency})
    documents_add(files=files, actor=requester, request=request, ip=ip)
    for director in request.region.directors.filter(is_active=True).order_by("pk"):
        send_email("advocacy-request-new", director.email, {
            "request": request, "director": director, "url": reverse("advocacy:intake_detail", args=[request.pk]),
        }, idempotency_key=f"advocacy-request-{request.pk}-director-{director.pk}")
    return request


def documents_add(*, files, actor, request=None, case=None, shared=False, ip=None) -> list[CaseDocument]:
    """Store uploaded files on a request or a case (in the caller's transaction). A refused file raises
    UploadRefused; the files already written for this call are removed, the rows go with the rollback."""
    subject = case if case is not None else request
    stored, links = [], []
    try:
        for file in files:
            document = upload_store(file=file, kind=CASE_DOCUMENT_KIND, subject=subject, actor=actor)
            stored.append(document.file.name)
            links.append(CaseDocument.objects.create(case=case, request=request, document=document, shared=shared,
                                                     added_by=actor))
            audit_record(actor=actor, action="advocacy.document_added", obj=links[-1], ip=ip,
                         changes={"title": document.title, "shared": shared})
    except BaseException:
        for name in stored:
            StoredDocument._meta.get_field("file").storage.delete(name)
        raise
    return links


# --- Deciding -------------------------------------------------------------------------------------------------

def _locked(request_id) -> RepresentationRequest:
    return RepresentationRequest.objects.select_for_update(of=("self",)).select_related("region", "requester", "member").get(pk=request_id)


def _decided(request, *, status, actor):
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()


@transaction.atomic
def request_accept(*, request_id, actor, case_type: CaseType, title: str, issue_category, director,
                   filed_on: date, ip: str | None = None) -> GrievanceCase:
    """Open a case for a new request on the version of `case_type` in force on `filed_on`; the requester's
    member record is its grievant and the request's documents come along (still private to staff unless
    shared; what the member sent stays theirs to open). Accepting an accepted request returns its case."""
    request = _locked(request_id)
    if request.status == RepresentationRequest.Status.ACCEPTED:
        return request.case
    if request.status != RepresentationRequest.Status.NEW:
        raise AdvocacyError(f"This request was already answered: {request.get_status_display().lower()}.")
    version = version_in_force(case_type, filed_on)
    if version is None:
        raise AdvocacyError(f"{case_type} has no version in force on {filed_on:%b %-d, %Y}.")
    if not director.uniserv_regions.filter(pk=request.region_id).exists() and not is_region_manager(director):
        raise AdvocacyError(f"{director.email} is not a director of {request.region}.")
    case = GrievanceCase.objects.create(
        request=request, case_type_version=version, region=request.region, director=director,
        district=request.district, worksite=request.worksite, supervisor=request.supervisor,
        issue_category=issue_category, title=title, facts=request.what_happened,
        remedy_sought=request.outcome_sought, filed_on=filed_on, current_step=version.steps.order_by("order").first())
    case.refresh_from_db(fields=["sequence"])
    if request.member_id:
        case.grievants.add(request.member)
    CaseDocument.objects.filter(request=request).update(case=case)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.INCIDENT, occurred_on=request.incident_date,
                             description=request.summary, shared=True, recorded_by=actor)
    _decided(request, status=RepresentationRequest.Status.ACCEPTED, actor=actor)
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="advocacy.request_accepted", obj=request, ip=ip, changes={"case": case.number})
    audit_record(actor=actor, action="advocacy.case_opened", obj=case, ip=ip, changes={
        "number": case.number, "case_type": str(version), "director": director.email, "filed_on": str(filed_on)})
    case_deadlines_refresh(case=case)
    send_email("advocacy-request-answered", request.requester.email, {
        "request": request, "url": reverse("advocacy:my_case", args=[case.pk]) if request.member_id else
        reverse("advocacy:my_cases")}, idempotency_key=f"advocacy-request-{request.pk}-answered")
    return case


@transaction.atomic
def request_decline(*, request_id, actor, reason: str, ip: str | None = None) -> RepresentationRequest:
    """Decline a new request with a reason the requester reads on their page (the email only says there is an
    answer). Declining a declined request changes nothing."""
    reason = reason.strip()
    if not reason:
        raise AdvocacyError("Say why: the member reads the reason.")
    request = _locked(request_id)
    if request.status == RepresentationRequest.Status.DECLINED:
        return request
    if request.status != RepresentationRequest.Status.NEW:
        raise AdvocacyError(f"This request was already answered: {request.get_status_display().lower()}.")
    _decided(request, status=RepresentationRequest.Status.DECLINED, actor=actor)
    request.decline_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    audit_record(actor=actor, action="advocacy.request_declined", obj=request, ip=ip, changes={"reason": reason})
    send_email("advocacy-request-answered", request.requester.email, {
        "request": request, "url": reverse("advocacy:my_cases")},
        idempotency_key=f"advocacy-request-{request.pk}-answered")
    return request


# --- The attorney referral program -----------------------------------------------------------------------------

def membership_year_start(day: date) -> date:
    """September 1 of the membership year (September 1 to August 31) holding `day`."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


@dataclass(frozen=True)
class ReferralAllowance:
    year_start: date
    allowed: int
    used: int

    @property
    def left(self) -> int:
        return max(self.allowed - self.used, 0)

    @property
    def label(self) -> str:
        if self.left == 0:
            return f"{self.used} of {self.allowed} used: none left this membership year"
        return f"{self.used} of {self.allowed} used"

    @property
    def year_label(self) -> str:
        return f"{self.year_start.year}-{str(self.year_start.year + 1)[-2:]}"


def referral_allowance(member: Member, *, today: date) -> ReferralAllowance:
    """How many free consultations `member` has used in the membership year of `today`."""
    start = membership_year_start(today)
    used = AttorneyReferral.objects.filter(member=member, membership_year_start=start).count()
    return ReferralAllowance(year_start=start, allowed=AdvocacyPolicy.current().free_consultations_per_year, used=used)


@transaction.atomic
def request_refer(*, request_id, actor, attorney: str, notes: str, today: date, beyond_limit_reason: str = "",
                  ip: str | None = None) -> AttorneyReferral:
    """Refer a new request's member to the attorney referral program, counted against the membership year of
    `today` (the day of the referral).

    The free consultations per year come from AdvocacyPolicy. Beyond them the referral is refused, except
    that a region manager may grant one more with a written reason (kept in the referral's notes and the
    audit trail): the limit is the association's benefit, and only the people who supervise the budget
    may go past it. A person with no member record cannot be referred (it is a member benefit)."""
    request = _locked(request_id)
    if request.status == RepresentationRequest.Status.REFERRED:
        return request.referral
    if request.status != RepresentationRequest.Status.NEW:
        raise AdvocacyError(f"This request was already answered: {request.get_status_display().lower()}.")
    if request.member_id is None:
        raise AdvocacyError("The attorney referral program is a member benefit, and this person has no member record.")
    member = Member.objects.select_for_update().get(pk=request.member_id)  # one count at a time per member
    allowance = referral_allowance(member, today=today)
    beyond_limit_reason = beyond_limit_reason.strip()
    if allowance.left == 0:
        if not (is_region_manager(actor) and beyond_limit_reason):
            raise AdvocacyError(f"No free consultation left for {allowance.year_label}: {allowance.label}. "
                                "A region manager may grant one more with a reason.")
        notes = f"{notes}\n\nBeyond the yearly limit, granted by {actor.email}: {beyond_limit_reason}".strip()
    referral = AttorneyReferral.objects.create(request=request, member=member, membership_year_start=allowance.year_start,
                                               attorney=attorney, notes=notes, referred_by=actor)
    _decided(request, status=RepresentationRequest.Status.REFERRED, actor=actor)
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="advocacy.request_referred", obj=request, ip=ip, changes={
        "attorney": attorney, "year": allowance.year_label, "used_before": allowance.used,
        "allowed": allowance.allowed, "beyond_limit_reason": beyond_limit_reason})
    send_email("advocacy-request-answered", request.requester.email, {
        "request": request, "url": reverse("advocacy:my_cases")},
        idempotency_key=f"advocacy-request-{request.pk}-answered")
    return referral


@transaction.atomic
def request_open_claim(*, request_id, actor, notes: str, ip: str | None = None) -> LiabilityClaim:
    """Open a liability claim for a new request. `covered` is membership's answer, asked again now, to "was
    this person a member in good standing on the incident date?" (the coverage covers incidents during
    membership); an uncovered claim is still recorded, marked so."""
    request = _locked(request_id)
    if request.status == RepresentationRequest.Status.CLAIM:
        return request.claim
    if request.status != RepresentationRequest.Status.NEW:
        raise AdvocacyError(f"This request was already answered: {request.get_status_display().lower()}.")
    if request.member_id is None:
        raise AdvocacyError("A liability claim needs a member record, and this person has none.")
    status, note = membership_on(request.member, request.incident_date)
    covered = status == RepresentationRequest.Membership.MEMBER
    claim = LiabilityClaim.objects.create(request=request, member=request.member, incident_date=request.incident_date,
                                          covered=covered, notes=notes, opened_by=actor)
    _decided(request, status=RepresentationRequest.Status.CLAIM, actor=actor)
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="advocacy.claim_opened", obj=request, ip=ip, changes={"covered": covered, "membership": note})
    send_email("advocacy-request-answered", request.requester.email, {
        "request": request, "url": reverse("advocacy:my_cases")},
        idempotency_key=f"advocacy-request-{request.pk}-answered")
    return claim
