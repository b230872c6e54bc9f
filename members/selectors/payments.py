"""Reads of payments and plans."""

from decimal import Decimal

from django.db.models import Prefetch

from members.models import GatewayEvent, Member, MembershipTerm, Payment


def member_payments(member: Member):
    return member.payments.select_related("term").order_by("-created_at")


def next_draft(member: Member):
    return (Payment.objects.filter(member=member, status=Payment.Status.SCHEDULED)
            .select_related("term").order_by("due_on").first())


def member_payments_for_staff(member: Member, *, joined: bool = True) -> list:
    """The member's payments, newest first, each with `refunded` (the total refunded of it, positive)
    and `refundable` (what may still be refunded; zero for refunds, adjustments and unpaid rows).
    `joined=False`: without their terms (a page that loads the terms itself gives them with attach_terms), a
    refund's payment taken from the rows at hand rather than from a join."""
    if joined:
        payments = list(member.payments.select_related("term__category", "recorded_by", "refund_of")
                        .order_by("-created_at", "-pk"))
    else:
        payments = list(member.payments.select_related("recorded_by").order_by("-created_at", "-pk"))
        payments_by_pk = {p.pk: p for p in payments}
        for p in payments:
            if p.refund_of_id in payments_by_pk:
                p.refund_of = payments_by_pk[p.refund_of_id]
    return attach_refund_amounts(payments)


def attach_refund_amounts(payments: list) -> list:
    """Each of the member's payments (all of them: a refund counts against the payment it refunds) gets
    `refunded` and `refundable`, as member_payments_for_staff gives them."""
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


def check_recorded_before(*, member: Member, check_number: str) -> Payment | None:
    """The paid check of this member with this number, if one was recorded already (case and spaces aside)."""
    number = check_number.strip()
    if not number:
        return None
    return (Payment.objects.filter(member=member, method=Payment.Method.CHECK, check_number__iexact=number,
                                   status=Payment.Status.SUCCEEDED, amount__gt=0)
            .select_related("term").order_by("-paid_at").first())


def payments_needing_attention():
    """Payments staff must look at (a draft the gateway never answered, an event that did not match, money taken
    beyond the dues), oldest first, with the events that were not applied."""
    return (Payment.objects.exclude(attention="").select_related("member", "term__category")
            .prefetch_related(Prefetch("gateway_events", queryset=GatewayEvent.objects.exclude(mismatch="")
                                       .order_by("received_at"), to_attr="mismatched_events"))
            .order_by("created_at", "pk"))


def attach_terms(payments: list, terms: list) -> None:
    """Each payment gets its term from `terms` (the member's, loaded by the page), so none is read again."""
    terms_by_pk = {t.pk: t for t in terms}
    for p in payments:
        if p.term_id in terms_by_pk:
            p.term = terms_by_pk[p.term_id]


def member_mismatched_events(member: Member, *, payments: list | None = None):
    """Gateway events about the member's payments that were recorded but not applied (amount or currency).
    `payments`: all the member's payments if the page loaded them (with their terms): no join, and no query
    when there are none."""
    if payments is None:
        return (GatewayEvent.objects.filter(payment__member=member).exclude(mismatch="")
                .select_related("payment__term").order_by("-received_at"))
    if not payments:
        return []
    by_pk = {p.pk: p for p in payments}
    events = list(GatewayEvent.objects.filter(payment_id__in=list(by_pk)).exclude(mismatch="").order_by("-received_at"))
    for event in events:
        event.payment = by_pk[event.payment_id]
    return events
