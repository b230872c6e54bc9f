"""Reads of payments and plans."""

from decimal import Decimal

from members.models import Member, MembershipTerm, Payment


def member_payments(member: Member):
    return member.payments.select_related("term").order_by("-created_at")


def next_draft(member: Member):
    return (Payment.objects.filter(member=member, status=Payment.Status.SCHEDULED)
            .select_related("term").order_by("due_on").first())


def member_payments_for_staff(member: Member) -> list:
    """The member's payments, newest first, each with `refunded` (the total refunded of it, positive)
    and `refundable` (what may still be refunded; zero for refunds, adjustments and unpaid rows)."""
    payments = list(member.payments.select_related("term__category", "recorded_by", "refund_of")
                    .order_by("-created_at", "-pk"))
    refunded: dict[int, Decimal] = {}
    for p in payments:
        if p.refund_of_id and p.status == Payment.Status.SUCCEEDED:
            refunded[p.refund_of_id] = refunded.get(p.refund_of_id, Decimal("0")) - p.amount
    for p in payments:
        p.refunded = refunded.get(p.pk, Decimal("0"))
        paid_in = (p.status == Payment.Status.SUCCEEDED and p.amount > 0 and p.method != Payment.Method.ADJUSTMENT)
        p.refundable = p.amount - p.refunded if paid_in else Decimal("0")
    return payments


def member_plans_for_staff(member: Member):
    return member.plans.select_related("authorization").order_by("-created_at")


def payments_visible_to_member(user):
    """The payments a signed-in member may open: their own. (Staff read payments through the member's record.)"""
    return Payment.objects.filter(member__user=user)


def terms_visible_to_member(user):
    """The membership terms a signed-in member may act on: their own."""
    return MembershipTerm.objects.filter(member__user=user)
