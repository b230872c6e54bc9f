"""Reads of cases: the staff list, the case page, the member's case page.

The member's reads are separate functions that return only what is shared (and what the member sent),
so that no member page can reach a private note or a private document by accident of a template."""

from django.db.models import Min, Prefetch, Q
from django.db.models.functions import Coalesce

from advocacy.models import CaseDeadline, CaseDocument, CaseEvent, CaseNote, CaseUpdate, GrievanceCase
from advocacy.rules import cases_for_staff, cases_of_member
from members.models import Member

CASE_LIST_RELATED = ("case_type_version__case_type", "region", "director", "district", "worksite", "issue_category",
                     "current_step")
GRIEVANTS = Prefetch("grievants", queryset=Member.objects.select_related("user").order_by("legal_last_name", "pk"))


def _with_next_date(cases):
    """`next_due`: the earliest date that counts (override, else extension, else computed) of an open deadline."""
    due = Coalesce("deadlines__override_due", "deadlines__extended_due", "deadlines__computed_due")
    return cases.annotate(next_due=Min(due, filter=Q(deadlines__status=CaseDeadline.Status.OPEN)))


def staff_cases(user, *, status: str = ""):
    """The cases this user works, newest first; `status` filters (open, on_hold, closed)."""
    cases = cases_for_staff(user).select_related(*CASE_LIST_RELATED).prefetch_related(GRIEVANTS)
    if status in GrievanceCase.Status.values:
        cases = cases.filter(status=status)
    return _with_next_date(cases).order_by("-created_at", "-pk")


def member_cases(user):
    """The cases the user is a grievant on, newest first."""
    return (cases_of_member(user).select_related(*CASE_LIST_RELATED).prefetch_related(GRIEVANTS)
            .order_by("-created_at", "-pk"))


def next_deadline(case):
    """The earliest open deadline of the case (by the date that counts: override, extension, computed)."""
    deadlines = case.deadlines.filter(status=CaseDeadline.Status.OPEN).select_related("step")
    return min(deadlines, key=lambda d: d.due, default=None)


def case_timeline(case, *, shared_only: bool = False):
    events = case.events.select_related("recorded_by", "step")
    return events.filter(shared=True) if shared_only else events


def case_notes(case):
    return CaseNote.objects.filter(case=case).select_related("author")


def case_updates(case):
    return CaseUpdate.objects.filter(case=case).select_related("author").order_by("created_at", "pk")


def case_documents(case):
    """Every document of the case and of the request it came from (staff)."""
    return (CaseDocument.objects.filter(Q(case=case) | Q(request_id=case.request_id) if case.request_id else Q(case=case))
            .select_related("document", "added_by").order_by("-added_at", "-pk"))


def member_case_documents(case, user):
    """What the member may open: the shared documents, and the ones they sent themself."""
    return case_documents(case).filter(Q(shared=True) | Q(added_by=user))


def member_case_events(case):
    return CaseEvent.objects.filter(case=case, shared=True).order_by("occurred_on", "recorded_at")
