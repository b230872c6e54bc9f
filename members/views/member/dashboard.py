"""The dashboard's membership panel."""

import uuid
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from mae_portal import user_versions
from mae_portal.documents import subject_filter
from mae_portal.models import StoredDocument
from members import clock, dues
from members.models import MembershipTerm, Payment, RenewalPolicy, User
from members.selectors.dashboard import balances_to_pay, payments_owed, status_line
from members.selectors.payments import attach_terms, member_payments
from members.selectors.terms import current_term, member_renewable_term, member_terms_from_payments
from members.views.member.common import TermStatus, _active_plan, _describe_plan

DOCUMENTS_EXPECTED_FOR = timedelta(minutes=10)


def membership_documents_expected(user) -> bool:
    """A payment was made in the last few minutes and its receipt, or its term's card, is not there yet:
    the dashboard keeps asking for its documents, so they appear without a reload once a worker makes
    them. (After a few minutes it stops asking; a document that never came is for staff to look at.)"""
    if not user.is_authenticated:
        return False
    # The dashboard's membership panel loaded the member's payments already: none paid in the last minutes
    # (the usual case), nothing is expected, and no query is needed to say so.
    member = getattr(user, "member", None) if User.member.is_cached(user) else None
    loaded = getattr(member, "loaded_payments", None)
    since = timezone.now() - DOCUMENTS_EXPECTED_FOR
    if loaded is not None and not any(p.status == Payment.Status.SUCCEEDED and p.amount > 0 and p.paid_at
                                      and p.paid_at >= since and p.term.cancelled_at is None for p in loaded):
        return False
    # Else the time of their last payment, kept under their versions (a new payment moves them), says the same.
    last_paid = user_versions.kept(user, "last-paid", lambda: _last_paid(user))
    if last_paid is None or last_paid < since:
        return False
    receipt = StoredDocument.objects.filter(kind="receipt", subject_type=ContentType.objects.get_for_model(Payment),
                                            subject_id=Cast(OuterRef("pk"), CharField()))
    card = StoredDocument.objects.filter(kind="card", subject_type=ContentType.objects.get_for_model(MembershipTerm),
                                         subject_id=Cast(OuterRef("term_id"), CharField()))
    return (Payment.objects.filter(member__user=user, status=Payment.Status.SUCCEEDED, amount__gt=0,
                                   paid_at__gte=since, term__cancelled_at__isnull=True)
            .filter(~Exists(receipt) | ~Exists(card)).exists())


def _last_paid(user):
    """When the user's last payment that brings documents (a receipt, a card) was made, or None."""
    return (Payment.objects.filter(member__user=user, status=Payment.Status.SUCCEEDED, amount__gt=0,
                                   paid_at__isnull=False, term__cancelled_at__isnull=True)
            .order_by("-paid_at").values_list("paid_at", flat=True).first())


def membership_dashboard(user, day: date | None = None, token: str | None = None) -> dict:
    """Everything the dashboard shows about the member's membership, in a fixed number of queries; `token` is
    its forms' double-submit token (a fresh one by default)."""
    day = day or clock.today()
    member = getattr(user, "member", None)
    if member is None:
        return {"membership": None}
    policy = RenewalPolicy.current()  # read once: terms, renewal and status all need it
    payments = list(member_payments(member).select_related(None))
    terms = member_terms_from_payments(member, payments, today=day, policy=policy)
    terms_by_pk = {t.pk: t for t in terms}
    grace = policy.grace_period_days
    attach_terms(payments, terms)  # loaded above with their category and money: no join
    member.loaded_payments = payments  # for membership_documents_expected, asked on the same page
    current = current_term(terms, day)
    plan = _active_plan(member)
    renewable = member_renewable_term(member, today=day, terms=terms, policy=policy)
    renewal = next((t for t in terms if current and t.continues_id == current.pk and t.status != TermStatus.CANCELLED), None)
    receipts = {d.subject_id: d for d in StoredDocument.objects.filter(
        subject_filter(Payment, [p.pk for p in payments]), owner=user, kind="receipt",
        status=StoredDocument.Status.READY).only("pk", "subject_id")}
    for payment in payments:
        payment.receipt = receipts.get(str(payment.pk))
    pending = [p for p in payments if p.status == Payment.Status.PENDING]
    auto_renews = bool(plan and plan.is_installment and plan.auto_renew)
    owed = payments_owed(payments, terms_by_pk)
    return {"membership": {
        "member": member, "terms": [t for t in terms], "current": current, "status": status_line(current, payments, day, grace),
        "plan": plan, "plan_label": _describe_plan(plan, member) if plan else "",
        "next_draft": next((p for p in sorted(payments, key=lambda p: p.due_on or date.max)
                            if p.status == Payment.Status.SCHEDULED), None),
        "history": [p for p in payments if p.status != Payment.Status.SCHEDULED],
        "owed": owed, "pending": pending, "to_pay": balances_to_pay(terms, payments, owed, day),
        "renewable": renewable, "renewal": renewal, "auto_renews": auto_renews,
        "next_year_label": dues.year_label((renewable or current).membership_year + 1) if (renewable or current) else "",
        "renews_on": date((current.membership_year + 1), 9, 1) if current else None,
        "retry_token": token or uuid.uuid4(),
    }}
