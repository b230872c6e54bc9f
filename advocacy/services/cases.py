"""Working a case: its fields, grievants, closing and reopening, private notes, the shared thread and
documents. Each service is atomic and audited with the case as the entry's subject (advocacy/portal.py
registers the subjects), so a case's trail is one query.

Private notes and unshared documents never leave staff: the member's emails say only that there is
something new, never its text.
"""

from datetime import date

from django.db import transaction
from django.urls import reverse

from advocacy.models import CaseDocument, CaseEvent, CaseNote, CaseUpdate, GrievanceCase
from advocacy.services.requests import AdvocacyError, documents_add
from mae_portal.audit import audit_record, model_update
from mae_portal.emails import send_email

EDITABLE_FIELDS = ("title", "district", "worksite", "supervisor", "issue_category", "policy_cited", "facts",
                   "remedy_sought", "current_step", "status", "director")


def _locked(case) -> GrievanceCase:
    return GrievanceCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_update_fields(*, case, data: dict, actor, ip=None) -> dict:
    """Change the case's own fields (not its status to or from closed: see case_close / case_reopen).
    Returns {field: [old, new]}; nothing changed, nothing saved."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    locked = _locked(case)
    if data.get("status") == GrievanceCase.Status.CLOSED or (locked.status == GrievanceCase.Status.CLOSED
                                                            and data.get("status", locked.status) != locked.status):
        raise AdvocacyError("Close or reopen the case with its own button, which records the outcome.")
    if data.get("worksite") is not None and data.get("district", locked.district) is not None:
        if data["worksite"].district_id != data.get("district", locked.district).pk:
            raise AdvocacyError("The worksite must be one of the district's.")
    if data.get("current_step") is not None and data["current_step"].version_id != locked.case_type_version_id:
        raise AdvocacyError("Choose a step of this case's ladder.")
    _, changes = model_update(instance=locked, data=data, actor=actor, action="advocacy.case_changed", ip=ip,
                              update_fields_extra=["updated_at"])
    return changes


@transaction.atomic
def case_close(*, case, outcome: str, remedy_obtained: str, closed_on: date, actor, ip=None) -> GrievanceCase:
    """Close the case with its outcome (won, settled, lost, withdrawn) and what was obtained; a status event
    goes on the shared timeline. Closing a closed case changes nothing."""
    if outcome not in GrievanceCase.Outcome.values:
        raise AdvocacyError("Choose the outcome.")
    locked = _locked(case)
    if locked.status == GrievanceCase.Status.CLOSED:
        return locked
    model_update(instance=locked, data={"status": GrievanceCase.Status.CLOSED, "outcome": outcome,
                                        "remedy_obtained": remedy_obtained, "closed_on": closed_on},
                 actor=actor, action="advocacy.case_closed", ip=ip, update_fields_extra=["updated_at"])
    CaseEvent.objects.create(case=locked, kind=CaseEvent.Kind.STATUS, occurred_on=closed_on, shared=True,
                             description=f"Case closed: {locked.get_outcome_display().lower()}.", recorded_by=actor)
    return locked


@transaction.atomic
def case_reopen(*, case, reason: str, today: date, actor, ip=None) -> GrievanceCase:
    """Reopen a closed case (the outcome is cleared; the audit trail keeps it)."""
    locked = _locked(case)
    if locked.status != GrievanceCase.Status.CLOSED:
        return locked
    if not reason.strip():
        raise AdvocacyError("Say why the case is reopened.")
    model_update(instance=locked, data={"status": GrievanceCase.Status.OPEN, "outcome": "", "closed_on": None},
                 actor=actor, action="advocacy.case_reopened", ip=ip, update_fields_extra=["updated_at"])
    CaseEvent.objects.create(case=locked, kind=CaseEvent.Kind.STATUS, occurred_on=today, shared=False,
                             description=f"Case reopened: {reason.strip()}", recorded_by=actor)
    return locked


@transaction.atomic
def case_grievant_add(*, case, member, actor, ip=None) -> bool:
    """Add a grievant (a group grievance). `member` must already be one the actor may see. True if added."""
    if case.grievants.filter(pk=member.pk).exists():
        return False
    case.grievants.add(member)
    audit_record(actor=actor, action="advocacy.grievant_added", obj=case, ip=ip, changes={"member": str(member)})
    return True


@transaction.atomic
def case_grievant_remove(*, case, member, actor, ip=None) -> bool:
    """Remove a grievant; the last one stays (a case is always someone's)."""
    _locked(case)
    if not case.grievants.filter(pk=member.pk).exists():
        return False
    if case.grievants.count() <= 1:
        raise AdvocacyError("A case keeps at least one grievant.")
    case.grievants.remove(member)
    audit_record(actor=actor, action="advocacy.grievant_removed", obj=case, ip=ip, changes={"member": str(member)})
    return True


@transaction.atomic
def case_note_add(*, case, body: str, actor, ip=None) -> CaseNote:
    """A private note: staff only, never shown to a member nor sent anywhere."""
    note = CaseNote.objects.create(case=case, author=actor, body=body.strip())
    audit_record(actor=actor, action="advocacy.note_added", obj=note, ip=ip)  # the text stays out of the trail
    return note


def _member_emails(case):
    return [(member.pk, member.user.email) for member in case.grievants.select_related("user").order_by("pk")
            if member.user_id and member.user.is_active]


@transaction.atomic
def case_update_post(*, case, body: str, actor, ip=None) -> CaseUpdate:
    """A shared update from the director: on the member's case page, and an email to each grievant saying
    there is an update (without its text: email is not where a case's details should travel)."""
    update = CaseUpdate.objects.create(case=case, author=actor, by_member=False, body=body.strip())
    audit_record(actor=actor, action="advocacy.update_posted", obj=update, ip=ip)
    for member_pk, email in _member_emails(case):
        send_email("advocacy-case-update", email, {"case": case, "url": reverse("advocacy:my_case", args=[case.pk])},
                   idempotency_key=f"advocacy-update-{update.pk}-member-{member_pk}")
    return update


@transaction.atomic
def case_reply_post(*, case, body: str, actor, ip=None) -> CaseUpdate:
    """A grievant's reply on the shared thread; the case's director gets an email that there is one."""
    update = CaseUpdate.objects.create(case=case, author=actor, by_member=True, body=body.strip())
    audit_record(actor=actor, action="advocacy.reply_posted", obj=update, ip=ip)
    send_email("advocacy-case-reply", case.director.email, {
        "case": case, "url": reverse("advocacy:case_detail", args=[case.pk])},
        idempotency_key=f"advocacy-reply-{update.pk}-director")
    return update


@transaction.atomic
def case_documents_add(*, case, files, shared: bool, actor, ip=None) -> list[CaseDocument]:
    """Upload documents to a case (through the core's upload checks): private unless `shared`. A member's
    own upload is shared with the case's staff by nature and stays visible to the member who sent it."""
    return documents_add(files=files, actor=actor, case=case, shared=shared, ip=ip)


@transaction.atomic
def case_document_share(*, link: CaseDocument, shared: bool, actor, ip=None) -> CaseDocument:
    """Share a document with the member, or take it back."""
    link = CaseDocument.objects.select_for_update(of=("self",)).select_related("document").get(pk=link.pk)
    model_update(instance=link, data={"shared": shared}, actor=actor,
                 action="advocacy.document_shared" if shared else "advocacy.document_unshared", ip=ip)
    return link
