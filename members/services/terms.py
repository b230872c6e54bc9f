"""Staff changes to a membership term: its category, cancelling and reinstating it; whether it may be renewed."""


from django.db import transaction
from django.utils import timezone

from mae_portal.audit import audit_record
from members import dues
from members.models import (
    MembershipCategory,
    MembershipTerm,
    Payment,
)
from members.services.errors import MembershipError
from members.services.quotes import rate_on


@transaction.atomic
def term_change_category(*, term: MembershipTerm, category: MembershipCategory, actor, ip: str | None = None) -> MembershipTerm:
    """Move a term to another category: its dues are recomputed on the term's own start date."""
    term = MembershipTerm.objects.select_for_update().get(pk=term.pk)
    if term.category_id == category.pk:
        return term
    rate = rate_on(category, term.start)
    full = dues.Shares(rate.local_share, rate.state_share, rate.national_share)
    shares = dues.dues_for(full, category.proration, term.start, renewal=term.continues_id is not None)
    before = {"category": term.category.code, "amount_due": str(term.amount_due)}
    term.category = category
    term.local_share, term.state_share, term.national_share = shares.local, shares.state, shares.national
    term.amount_due = shares.total
    term.save(update_fields=["category", "local_share", "state_share", "national_share", "amount_due"])
    audit_record(actor=actor, ip=ip, action="term.category_changed", obj=term,
                 changes={"category": [before["category"], category.code], "amount_due": [before["amount_due"], str(term.amount_due)]})
    return term


@transaction.atomic
def term_cancel(*, term: MembershipTerm, reason: str, actor, ip: str | None = None) -> MembershipTerm:
    term = MembershipTerm.objects.select_for_update().get(pk=term.pk)
    if term.cancelled_at:
        return term
    if not reason.strip():
        raise MembershipError("Say why the term is cancelled.")
    term.cancelled_at, term.cancel_reason = timezone.now(), reason.strip()[:200]
    term.save(update_fields=["cancelled_at", "cancel_reason"])
    term.payments.filter(status=Payment.Status.SCHEDULED).update(status=Payment.Status.FAILED,
                                                                  failure_message="Term cancelled")
    audit_record(actor=actor, ip=ip, action="term.cancelled", obj=term, changes={"reason": reason})
    return term


@transaction.atomic
def term_reinstate(*, term: MembershipTerm, actor, ip: str | None = None) -> MembershipTerm:
    term = MembershipTerm.objects.select_for_update().get(pk=term.pk)
    if not term.cancelled_at:
        return term
    if term.member.terms.filter(cancelled_at__isnull=True, period__overlap=term.period).exclude(pk=term.pk).exists():
        raise MembershipError("Another term now covers these dates; cancel it first.")
    term.cancelled_at, term.cancel_reason = None, ""
    term.save(update_fields=["cancelled_at", "cancel_reason"])
    audit_record(actor=actor, ip=ip, action="term.reinstated", obj=term)
    return term


