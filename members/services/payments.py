"""Payments: gateway events, success and failure, retries, and what staff record (checks, cash, refunds, adjustments)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mae_portal.audit import audit_record
from members.models import (
    GatewayEvent,
    MembershipTerm,
    Payment,
)
from members.services import followups, keys
from members.services.errors import MembershipError


@transaction.atomic
def gateway_event_handle(*, gateway: str, outcome) -> str:
    """Apply a verified gateway event once. Replays, unknown payments and events we do not act on
    are recorded and ignored. Returns what happened, for the log."""
    _, created = GatewayEvent.objects.get_or_create(
        gateway=gateway, event_id=outcome.event_id,
        defaults={"event_type": outcome.event_type, "payload": outcome.payload},
    )
    if not created:
        return "replay"
    if outcome.succeeded is None or not outcome.payment_key:
        return "ignored"
    payment = Payment.objects.select_for_update().filter(idempotency_key=outcome.payment_key).first()
    if payment is None:
        return "unknown payment"
    if outcome.succeeded:
        payment_succeeded(payment=payment, reference=outcome.reference, outcome=outcome)
        return "succeeded"
    payment_failed(payment=payment, message=outcome.message or "The payment did not go through.")
    return "failed"


def payment_succeeded(*, payment: Payment, reference: str, outcome=None) -> None:
    """Mark a payment paid (idempotent: an out-of-order or repeated success changes nothing), and keep
    the payment method the gateway reports, which may come on a later event than the first success
    (Stripe sends the saved bank account with payment_intent.succeeded, after checkout.session.completed)."""
    plan = payment.term.plan
    if outcome is not None and plan is not None and outcome.payment_method:
        plan.gateway_customer = outcome.customer or plan.gateway_customer
        plan.gateway_payment_method = outcome.payment_method
        plan.payment_method_label = outcome.payment_method_label or plan.payment_method_label
        plan.save(update_fields=["gateway_customer", "gateway_payment_method", "payment_method_label"])
    if payment.status == Payment.Status.SUCCEEDED:
        return
    payment.status = Payment.Status.SUCCEEDED
    payment.paid_at = timezone.now()
    payment.gateway_reference = reference or payment.gateway_reference
    payment.failure_message = ""
    payment.save(update_fields=["status", "paid_at", "gateway_reference", "failure_message"])
    audit_record(actor=None, action="payment.succeeded", obj=payment, changes={"amount": str(payment.amount)})
    first_for_term = not payment.term.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk).exists()
    followups.after_payment(payment.pk, first_for_term)


def payment_failed(*, payment: Payment, message: str) -> None:
    """A declined card or returned draft. A payment already paid stays paid (events can arrive out of order)."""
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED):
        return
    payment.status = Payment.Status.FAILED
    payment.failure_message = message[:300]
    payment.save(update_fields=["status", "failure_message"])
    audit_record(actor=None, action="payment.failed", obj=payment, changes={"message": message[:300]})
    # A failed draft of a running plan (or of an automatic renewal) is told at once; a declined card at
    # checkout is told on the page.
    if payment.method == Payment.Method.BANK_DRAFT and payment.due_on and (
            payment.term.continues_id is not None
            or payment.term.payments.filter(status=Payment.Status.SUCCEEDED).exists()):
        followups.after_draft_failed(payment.pk)


@transaction.atomic
def payment_retry(*, payment: Payment, idempotency_key: str | None = None, form_token=None) -> Payment:
    """Pay now after a decline or a failed draft: a new pending card payment for the same amount.
    The failed attempt stays as it was, so a late event about it still finds it."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.retry(payment.pk))
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.FAILED:
        raise MembershipError("This payment does not need paying again.")
    if payment.term.payments.filter(due_on=payment.due_on, status__in=[Payment.Status.PENDING, Payment.Status.SUCCEEDED]).exclude(
            method=Payment.Method.ADJUSTMENT).exists():
        raise MembershipError("This payment has already been paid or is being paid.")
    return Payment.objects.create(
        member=payment.member, term=payment.term, amount=payment.amount, due_on=payment.due_on,
        method=Payment.Method.CARD, gateway=payment.gateway, status=Payment.Status.PENDING,
        idempotency_key=idempotency_key,
    )


def _staff_payment(*, term, amount, method, actor, idempotency_key, note="", check_number="", refund_of=None,
                   action, ip: str | None = None) -> Payment:
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    payment = Payment.objects.create(
        member=term.member, term=term, amount=amount, method=method, status=Payment.Status.SUCCEEDED,
        gateway="manual", idempotency_key=idempotency_key, note=note[:300], check_number=check_number,
        refund_of=refund_of, recorded_by=actor, paid_at=timezone.now(), due_on=timezone.localdate(),
    )
    audit_record(actor=actor, ip=ip, action=action, obj=payment,
                 changes={"amount": str(amount), "method": method, "note": note, "check_number": check_number})
    return payment


@transaction.atomic
def payment_record(*, term: MembershipTerm, amount: Decimal, method: str, check_number: str = "", note: str = "",
                   actor, idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """Staff record a check or cash payment."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("payment"))
    if amount <= 0:
        raise MembershipError("Enter an amount above zero.")
    if method not in (Payment.Method.CHECK, Payment.Method.CASH):
        raise MembershipError("Staff record checks and cash; cards and drafts go through the gateway.")
    if method == Payment.Method.CHECK and not check_number.strip():
        raise MembershipError("Enter the check number.")
    first = not term.payments.filter(status=Payment.Status.SUCCEEDED).exists()
    payment = _staff_payment(term=term, amount=amount, method=method, actor=actor, idempotency_key=idempotency_key,
                             note=note, check_number=check_number.strip(), action="payment.recorded", ip=ip)
    followups.after_payment(payment.pk, first)
    return payment


@transaction.atomic
def payment_refund(*, payment: Payment, amount: Decimal, reason: str, actor, idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """Refund part or all of a paid payment (recorded as a negative payment)."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("refund"))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.SUCCEEDED or payment.amount <= 0:
        raise MembershipError("Only a paid payment can be refunded.")
    already = -sum((r.amount for r in payment.refunds.all()), Decimal("0"))
    if amount <= 0 or amount > payment.amount - already:
        raise MembershipError(f"Refund between $0.01 and ${payment.amount - already}.")
    if not reason.strip():
        raise MembershipError("Say why the refund is made.")
    return _staff_payment(term=payment.term, amount=-amount, method=payment.method, actor=actor,
                          idempotency_key=idempotency_key, note=reason, refund_of=payment, action="payment.refunded", ip=ip)


@transaction.atomic
def payment_adjust(*, term: MembershipTerm, amount: Decimal, reason: str, actor, idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """A credit (positive) or charge (negative) against a term, e.g. a hardship waiver."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("adjust"))
    if amount == 0 or not reason.strip():
        raise MembershipError("Enter a non-zero amount and the reason.")
    return _staff_payment(term=term, amount=amount, method=Payment.Method.ADJUSTMENT, actor=actor,
                          idempotency_key=idempotency_key, note=reason, action="payment.adjusted", ip=ip)
