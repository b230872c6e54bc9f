"""Payments: gateway events, success and failure, retries, and what staff record (checks, cash, refunds, adjustments)."""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mae_portal.audit import audit_record
from members.models import (
    GatewayEvent,
    MembershipTerm,
    Payment,
)
from members.selectors.payments import check_recorded_before
from members.selectors.terms import term_money
from members.services import followups, keys
from members.services.errors import MembershipError

CURRENCY = "usd"


@transaction.atomic
def gateway_event_handle(*, gateway: str, outcome) -> str:
    """Apply a verified gateway event once. Replays, unknown payments and events we do not act on
    are recorded and ignored. An event whose amount or currency is not the payment's is recorded with
    the reason, not applied, and the payment is flagged for staff. Returns what happened, for the log."""
    event, created = GatewayEvent.objects.get_or_create(
        gateway=gateway, event_id=outcome.event_id,
        defaults={"event_type": outcome.event_type, "payload": outcome.payload,
                  "amount": outcome.amount, "currency": (outcome.currency or "")[:3].lower()},
    )
    if not created:
        return "replay"
    if outcome.succeeded is None or not outcome.payment_key:
        return "ignored"
    payment = Payment.objects.select_for_update().filter(idempotency_key=outcome.payment_key).first()
    if payment is None:
        return "unknown payment"
    event.payment = payment
    mismatch = event_mismatch(payment=payment, amount=outcome.amount, currency=outcome.currency)
    if mismatch:
        event.mismatch = mismatch
        event.save(update_fields=["payment", "mismatch"])
        payment_flag(payment=payment, reason=f"A {gateway} event ({outcome.event_type}) was not applied: {mismatch}")
        return "mismatch"
    event.save(update_fields=["payment"])
    if outcome.succeeded:
        payment_succeeded(payment=payment, reference=outcome.reference, outcome=outcome)
        return "succeeded"
    payment_failed(payment=payment, message=outcome.message or "The payment did not go through.")
    return "failed"


def event_mismatch(*, payment: Payment, amount, currency: str) -> str:
    """Why an event cannot be about this payment's money (empty if it can). Dues are charged in US dollars."""
    if amount is None:
        return f"the event states no amount (the payment is ${payment.amount} USD)."
    if (currency or "").lower() != CURRENCY:
        return f"the event is in {(currency or 'no currency').upper()}, the payment in USD."
    if Decimal(amount) != payment.amount:
        return f"the event is for ${Decimal(amount):.2f}, the payment for ${payment.amount}."
    return ""


def payment_flag(*, payment: Payment, reason: str) -> None:
    """Put a payment on the staff's "needs attention" list, with why (call inside the payment's transaction)."""
    payment.attention = reason[:300]
    payment.save(update_fields=["attention"])
    audit_record(actor=None, action="payment.needs_attention", obj=payment, changes={"reason": reason[:300]})


@transaction.atomic
def payment_attention_resolve(*, payment: Payment, note: str, actor) -> Payment:
    """Staff looked at a flagged payment and dealt with it (refunded, recorded, asked the gateway): off the list."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not payment.attention:
        return payment
    if not note.strip():
        raise MembershipError("Say what was done about it.")
    audit_record(actor=actor, action="payment.attention_resolved", obj=payment,
                 changes={"reason": payment.attention, "note": note.strip()[:300]})
    payment.attention = ""
    payment.save(update_fields=["attention"])
    return payment


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
    money = term_money(payment.term)
    if money.paid > money.amount_due:  # the gateway took it (e.g. a checkout left open while staff recorded a check)
        payment_flag(payment=payment, reason=f"Paid ${money.paid - money.amount_due} more than the "
                                             f"{payment.term.year_label} dues: refund it or keep it as a credit.")
    first_for_term = not payment.term.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk).exists()
    followups.after_payment(payment.pk, first_for_term)


def payment_failed(*, payment: Payment, message: str) -> None:
    """A declined card or returned draft. A payment already paid stays paid (events can arrive out of order), and
    a cancelled one stays cancelled (nothing is owed on it)."""
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED, Payment.Status.CANCELLED):
        return
    payment.attention = ""  # an answer came: a draft the nightly run flagged as unanswered is settled
    payment.status = Payment.Status.FAILED
    payment.failure_message = message[:300]
    payment.save(update_fields=["status", "failure_message", "attention"])
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
    _refuse_beyond_balance(payment.term, payment.amount)
    return Payment.objects.create(
        member=payment.member, term=payment.term, amount=payment.amount, due_on=payment.due_on,
        method=Payment.Method.CARD, gateway=payment.gateway, status=Payment.Status.PENDING,
        idempotency_key=idempotency_key,
    )


def _refuse_beyond_balance(term: MembershipTerm, amount: Decimal, *, excluding: Payment | None = None) -> None:
    money = term_money(term, excluding=excluding)
    if money.fits(amount):
        return
    if money.balance <= 0:
        raise MembershipError(f"The {term.year_label} dues are paid in full: there is nothing more to pay.")
    owed = money.balance - money.pending
    if owed <= 0:
        raise MembershipError(f"A payment of ${money.pending} for {term.year_label} is being processed already.")
    raise MembershipError(f"Only ${owed} is left to pay for {term.year_label}.")


def _staff_payment(*, term, amount, method, actor, idempotency_key, note="", check_number="", refund_of=None,
                   action, ip: str | None = None) -> tuple[Payment, bool]:
    """(payment, created). Two staff sending the same form at once race on the unique key: the loser's insert
    fails in its savepoint once the winner commits, and it returns the winner's row, so both see the same page."""
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                member=term.member, term=term, amount=amount, method=method, status=Payment.Status.SUCCEEDED,
                gateway="manual", idempotency_key=idempotency_key, note=note[:300], check_number=check_number,
                refund_of=refund_of, recorded_by=actor, paid_at=timezone.now(), due_on=timezone.localdate(),
            )
    except IntegrityError:
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:  # another constraint than the key: not a double submit
            raise
        return existing, False
    audit_record(actor=actor, ip=ip, action=action, obj=payment,
                 changes={"amount": str(amount), "method": method, "note": note, "check_number": check_number})
    return payment, True


def _lock_term_for_staff(term: MembershipTerm, idempotency_key: str) -> Payment | None:
    """Take the term's row lock (one staff payment on a term at a time, so each sees the balance the other left),
    then the payment made under this key if the same form, sent at the same moment, committed while this waited."""
    MembershipTerm.objects.select_for_update().get(pk=term.pk)
    return Payment.objects.filter(idempotency_key=idempotency_key).first()


@transaction.atomic
def payment_record(*, term: MembershipTerm, amount: Decimal, method: str, check_number: str = "", note: str = "",
                   actor, different_check: bool = False, overpayment: bool = False,
                   idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """Staff record a check or cash payment. A check number already recorded for the member is refused unless
    staff say it is a different check (`different_check`); an amount beyond the term's balance is refused
    unless staff chose to record an overpayment (`overpayment`). The same form token returns the first row."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("payment"))
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    if amount <= 0:
        raise MembershipError("Enter an amount above zero.")
    if method not in (Payment.Method.CHECK, Payment.Method.CASH):
        raise MembershipError("Staff record checks and cash; cards and drafts go through the gateway.")
    if method == Payment.Method.CHECK and not check_number.strip():
        raise MembershipError("Enter the check number.")
    existing = _lock_term_for_staff(term, idempotency_key)
    if existing:
        return existing
    if method == Payment.Method.CHECK and not different_check:
        earlier = check_recorded_before(member=term.member, check_number=check_number)
        if earlier is not None:
            raise MembershipError(
                f"Check {check_number.strip()} of this member was recorded already (${earlier.amount} for "
                f"{earlier.term.year_label}). If this is a different check, tick \"This is a different check\".")
    money = term_money(term)
    if amount > money.balance and not overpayment:
        raise MembershipError(f"${amount} is more than the ${money.balance} left to pay for {term.year_label}. "
                              "Enter the balance, or tick \"Record an overpayment\".")
    first = not term.payments.filter(status=Payment.Status.SUCCEEDED).exists()
    payment, created = _staff_payment(term=term, amount=amount, method=method, actor=actor,
                                      idempotency_key=idempotency_key, note=note, check_number=check_number.strip(),
                                      action="payment.recorded", ip=ip)
    if created:
        followups.after_payment(payment.pk, first)
    return payment


def staff_payment_sent(*, action: str, form_token) -> Payment | None:
    """The payment a staff form (action: payment, refund, adjust) already made with this token, if any: the same
    form sent again (a double click, two staff at once) gets the first one's confirmation, not its errors."""
    if not form_token:
        return None
    return Payment.objects.filter(idempotency_key=keys.staff(action)(str(form_token))).first()


@transaction.atomic
def payment_refund(*, payment: Payment, amount: Decimal, reason: str, actor, idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """Refund part or all of a paid payment (recorded as a negative payment)."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("refund"))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:  # looked up under the lock: a refund sent twice at once is found once the first commits
        return existing
    if payment.status != Payment.Status.SUCCEEDED or payment.amount <= 0:
        raise MembershipError("Only a paid payment can be refunded.")
    already = -sum((r.amount for r in payment.refunds.all()), Decimal("0"))
    if amount <= 0 or amount > payment.amount - already:
        raise MembershipError(f"Refund between $0.01 and ${payment.amount - already}.")
    if not reason.strip():
        raise MembershipError("Say why the refund is made.")
    return _staff_payment(term=payment.term, amount=-amount, method=payment.method, actor=actor,
                          idempotency_key=idempotency_key, note=reason, refund_of=payment, action="payment.refunded", ip=ip)[0]


@transaction.atomic
def payment_adjust(*, term: MembershipTerm, amount: Decimal, reason: str, actor, above_balance: bool = False,
                   idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """A credit (positive) or charge (negative) against a term, e.g. a hardship waiver. A credit beyond the term's
    balance is refused unless staff chose to record one (`above_balance`), as a payment beyond it is; a charge is
    not limited. The same form token returns the first row."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("adjust"))
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    if amount == 0 or not reason.strip():
        raise MembershipError("Enter a non-zero amount and the reason.")
    existing = _lock_term_for_staff(term, idempotency_key)
    if existing:
        return existing
    money = term_money(term)
    if amount > 0 and amount > money.balance and not above_balance:
        raise MembershipError(f"A credit of ${amount} is more than the ${money.balance} left to pay for {term.year_label}. "
                              "Enter the balance, or tick \"Record a credit above the balance\".")
    return _staff_payment(term=term, amount=amount, method=Payment.Method.ADJUSTMENT, actor=actor,
                          idempotency_key=idempotency_key, note=reason, action="payment.adjusted", ip=ip)[0]


@transaction.atomic
def payment_checkout_prepare(*, payment: Payment) -> tuple[Payment, str]:
    """Before a pending payment goes to checkout: (payment, "") if it may, else (payment, why not) when it would
    pay beyond the term's balance (the term was paid another way since, e.g. a check staff recorded). A card
    payment no longer needed is cancelled (and stays so: the refusal is returned, not raised)."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("term__plan", "member").get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING:
        return payment, ""
    try:
        _refuse_beyond_balance(payment.term, payment.amount, excluding=payment)
    except MembershipError as refusal:
        if payment.method == Payment.Method.CARD:
            payment_cancel(payment=payment, reason="No longer needed: the dues were paid another way.")
        return payment, str(refusal)
    return payment, ""


def payment_cancel(*, payment: Payment, reason: str) -> None:
    """A payment never attempted and no longer wanted becomes Cancelled (never Failed: nothing went wrong)."""
    payment.status, payment.failure_message = Payment.Status.CANCELLED, reason[:300]
    payment.save(update_fields=["status", "failure_message"])
    audit_record(actor=None, action="payment.cancelled", obj=payment, changes={"reason": reason[:300]})


@transaction.atomic
def payment_balance_start(*, term: MembershipTerm, idempotency_key: str | None = None, form_token=None) -> Payment:
    """"Pay the remaining": one pending card payment of the term's whole balance, sent to checkout. For a term no
    draft plan pays any more (drafts stopped). The same form token returns the first call's payment."""
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.balance(term.pk))
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    term = MembershipTerm.objects.select_for_update(of=("self",)).select_related("plan").get(pk=term.pk)
    if term.cancelled_at is not None:
        raise MembershipError("This membership was cancelled.")
    if term.payments.filter(status=Payment.Status.SCHEDULED).exists():
        raise MembershipError("Your bank drafts pay the rest of this year; nothing needs paying now.")
    money = term_money(term)
    if money.pending:
        raise MembershipError(f"A payment of ${money.pending} for {term.year_label} is being processed already.")
    if money.balance <= 0:
        raise MembershipError(f"Your {term.year_label} dues are paid in full: there is nothing more to pay.")
    return Payment.objects.create(
        member=term.member, term=term, amount=money.balance, method=Payment.Method.CARD,
        gateway=term.plan.gateway if term.plan else settings.PAYMENT_GATEWAY, status=Payment.Status.PENDING, idempotency_key=idempotency_key,
    )
