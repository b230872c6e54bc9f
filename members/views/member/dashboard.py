"""The dashboard's membership panel."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from mae_portal.models import StoredDocument
from members import clock
from members.models import Payment, RenewalPolicy
from members.selectors.payments import member_payments
from members.selectors.terms import current_term, member_terms
from members.views.member.common import TermStatus, _active_plan, _describe_plan, _renewable_term, _year_label

DOCUMENTS_EXPECTED_FOR = timedelta(minutes=10)



def membership_documents_expected(user) -> bool:
    """A payment was made in the last few minutes and its receipt, or its term's card, is not there yet:
    the dashboard keeps asking for its documents, so they appear without a reload once a worker makes
    them. (After a few minutes it stops asking; a document that never came is for staff to look at.)"""
    if not user.is_authenticated:
        return False
    receipt = StoredDocument.objects.filter(kind=StoredDocument.Kind.RECEIPT,
                                            subject_key=Concat(Value("payment:"), Cast(OuterRef("pk"), CharField())))
    card = StoredDocument.objects.filter(kind=StoredDocument.Kind.CARD,
                                         subject_key=Concat(Value("term:"), Cast(OuterRef("term_id"), CharField())))
    return (Payment.objects.filter(member__user=user, status=Payment.Status.SUCCEEDED, amount__gt=0,
                                   paid_at__gte=timezone.now() - DOCUMENTS_EXPECTED_FOR, term__cancelled_at__isnull=True)
            .filter(~Exists(receipt) | ~Exists(card)).exists())



@dataclass
class Status:
    tone: str  # ok, pending, warn, none
    text: str
    detail: str = ""



def _lapse_date(term, payments, grace: int) -> date:
    """The day a term in arrears lapsed: the grace period after the first original draft not covered by payments."""
    covered = term.paid
    for payment in sorted((p for p in payments if p.term_id == term.pk and p.installment_number), key=lambda p: p.due_on):
        covered -= payment.amount
        if covered < 0:
            return max(payment.due_on, term.start) + timedelta(days=grace + 1)
    return term.start + timedelta(days=grace + 1)



def _status(current, payments, day: date, grace: int) -> Status:
    if current is None:
        return Status("none", "Not a member yet")
    end = f"{current.end:%B %-d, %Y}"
    if current.status == TermStatus.ACTIVE:
        return Status("ok", f"Active member through {end}")
    if current.status == TermStatus.PENDING:
        return Status("pending", "Payment pending", f"Your {current.year_label} membership starts once your dues are paid.")
    if current.status == TermStatus.GRACE:
        return Status("warn", f"In grace period: pay by {current.start + timedelta(days=grace):%B %-d, %Y}",
                      f"Your {current.year_label} dues are not paid yet.")
    if current.status == TermStatus.EXPIRED:
        grace_end = current.end + timedelta(days=grace)
        if day <= grace_end:
            return Status("warn", f"In grace period: renew by {grace_end:%B %-d, %Y}", f"Your membership ended on {end}.")
        return Status("warn", f"Lapsed on {grace_end + timedelta(days=1):%B %-d, %Y}",
                      f"Your membership ended on {end} and was not renewed.")
    if current.status == TermStatus.LAPSED:
        return Status("warn", f"Lapsed on {_lapse_date(current, payments, grace):%B %-d, %Y}",
                      f"Your {current.year_label} dues are behind. Pay what is due below to be a member again.")
    return Status("none", "Not a member yet")



def _needing_payment(payments, terms_by_pk) -> list:
    """Failed payments still owed: per term and due date, the latest failed attempt of a draft or
    payment of the term's schedule, when nothing paid or pending covers it."""
    groups: dict = {}
    for payment in payments:
        groups.setdefault((payment.term_id, payment.due_on), []).append(payment)
    owed = []
    for (term_id, _), group in groups.items():
        term = terms_by_pk.get(term_id)
        if term is None or term.status == TermStatus.CANCELLED:
            continue
        if not any(p.installment_number for p in group):
            continue
        if any(p.status in (Payment.Status.PENDING, Payment.Status.SUCCEEDED, Payment.Status.SCHEDULED) for p in group):
            continue
        failed = [p for p in group if p.status == Payment.Status.FAILED]
        if failed:
            owed.append(max(failed, key=lambda p: p.created_at))
    return sorted(owed, key=lambda p: (p.due_on or date.min, p.pk))



def membership_dashboard(user, day: date | None = None) -> dict:
    """Everything the dashboard shows about the member's membership, in a fixed number of queries."""
    day = day or clock.today()
    member = getattr(user, "member", None)
    if member is None:
        return {"membership": None}
    terms = member_terms(member, today=day)
    terms_by_pk = {t.pk: t for t in terms}
    grace = RenewalPolicy.current().grace_period_days
    payments = list(member_payments(member).select_related("term__category"))
    current = current_term(terms, day)
    plan = _active_plan(member)
    renewable = _renewable_term(terms, day)
    renewal = next((t for t in terms if current and t.continues_id == current.pk and t.status != TermStatus.CANCELLED), None)
    receipts = {d.subject_key: d for d in StoredDocument.objects.filter(
        owner=user, kind=StoredDocument.Kind.RECEIPT, status=StoredDocument.Status.READY).only("pk", "subject_key")}
    for payment in payments:
        payment.receipt = receipts.get(f"payment:{payment.pk}")
    pending = [p for p in payments if p.status == Payment.Status.PENDING]
    auto_renews = bool(plan and plan.is_installment and plan.auto_renew)
    return {"membership": {
        "member": member, "terms": [t for t in terms], "current": current, "status": _status(current, payments, day, grace),
        "plan": plan, "plan_label": _describe_plan(plan, member) if plan else "",
        "next_draft": next((p for p in sorted(payments, key=lambda p: p.due_on or date.max)
                            if p.status == Payment.Status.SCHEDULED), None),
        "history": [p for p in payments if p.status != Payment.Status.SCHEDULED],
        "owed": _needing_payment(payments, terms_by_pk), "pending": pending,
        "renewable": renewable, "renewal": renewal, "auto_renews": auto_renews,
        "next_year_label": _year_label((renewable or current).membership_year + 1) if (renewable or current) else "",
        "renews_on": date((current.membership_year + 1), 9, 1) if current else None,
        "retry_token": uuid.uuid4(),
    }}
