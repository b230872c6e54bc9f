"""Payment plans: automatic renewal, stopping drafts and starting them again, switching plans, changing the account
drafts come from."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mae_portal.audit import audit_record
from members import dues
from members.models import (
    DraftAuthorization,
    Member,
    MembershipTerm,
    Payment,
    PaymentPlan,
)
from members.selectors.terms import term_money
from members.services import followups, keys
from members.services.authorization import draft_authorization_record
from members.services.errors import MembershipError


@transaction.atomic
def plan_cancel_auto_renew(*, plan: PaymentPlan, actor, ip: str | None = None) -> PaymentPlan:
    """Stop renewing automatically. Drafts already scheduled for this year still run."""
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.auto_renew:
        plan.auto_renew = False
        plan.save(update_fields=["auto_renew"])
        audit_record(actor=actor, ip=ip, action="plan.auto_renew_cancelled", obj=plan)
    return plan


@transaction.atomic
def plan_cancel_drafts(*, plan: PaymentPlan, actor, ip: str | None = None) -> PaymentPlan:
    """Revoke the bank-draft authorization: no further drafts. The drafts never attempted are Cancelled (not
    failures: nothing went wrong); what is left of the year is one card payment of the balance
    (payments.payment_balance_start), or another plan."""
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PaymentPlan.Status.CANCELLED:
        return plan
    plan.status, plan.cancelled_at, plan.auto_renew = PaymentPlan.Status.CANCELLED, timezone.now(), False
    plan.save(update_fields=["status", "cancelled_at", "auto_renew"])
    if plan.authorization_id:
        DraftAuthorization.objects.filter(pk=plan.authorization_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    Payment.objects.filter(term__plan=plan, status=Payment.Status.SCHEDULED).update(
        status=Payment.Status.CANCELLED, failure_message="Not drafted: bank drafts were stopped.")
    audit_record(actor=actor, ip=ip, action="plan.drafts_cancelled", obj=plan)
    return plan


def _active_plan(member: Member) -> PaymentPlan | None:
    return PaymentPlan.objects.select_for_update().filter(member=member, status=PaymentPlan.Status.ACTIVE).first()


def _draft_dates(*, kind: str, draft_day: int, member: Member, start: date, end: date, today: date) -> list[date]:
    district = member.employer_district
    dates = dues.installment_dates(
        frequency="payday" if kind == PaymentPlan.Kind.PAYDAY else "monthly",
        start=max(start, today) + timedelta(days=1), end=end, day_of_month=draft_day,
        pay_schedule=district.pay_schedule if district else dues.PaySchedule.MONTHLY_LAST_BUSINESS_DAY,
        pay_anchor=district.pay_anchor if district else None,
    )
    return dates or [max(start, today) + timedelta(days=1)]


def _draft_key(term: MembershipTerm, due: date) -> str:
    key = f"draft:{term.pk}:{due.isoformat()}"
    taken = set(Payment.objects.filter(idempotency_key__startswith=key).values_list("idempotency_key", flat=True))
    suffix = 1
    candidate = key
    while candidate in taken:
        suffix += 1
        candidate = f"{key}:{suffix}"
    return candidate


def _reschedule(*, term: MembershipTerm, plan: PaymentPlan, member: Member, today: date) -> None:
    """Put the term's drafts not yet made on the plan's dates; the amount left to draft does not change."""
    scheduled = list(term.payments.select_for_update().filter(status=Payment.Status.SCHEDULED))
    if not scheduled:
        return
    remaining = sum((p.amount for p in scheduled), Decimal("0"))
    number = max((p.installment_number or 0) for p in term.payments.all())
    Payment.objects.filter(pk__in=[p.pk for p in scheduled]).delete()
    dates = _draft_dates(kind=plan.kind, draft_day=plan.draft_day, member=member, start=term.start, end=term.end,
                         today=today)
    for due, amount in dues.split_installments(remaining, dates):
        number += 1
        Payment.objects.create(
            member=member, term=term, amount=amount, due_on=due, gateway=plan.gateway, method=Payment.Method.BANK_DRAFT,
            status=Payment.Status.SCHEDULED, installment_number=number, idempotency_key=_draft_key(term, due),
        )


@transaction.atomic
def plan_change(*, member: Member, plan_kind: str, draft_day: int = 1, authorization: dict | None = None, actor,
                today: date, idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment | None:
    """Switch the member's active plan to monthly or per-payday bank drafts.

    Between draft plans: the drafts not yet made, for this year and a renewal already started, move to
    the new dates (same total); the signed authorization carries over, as its text says. Returns None.

    From an annual card plan: needs a new signed authorization (same shape as membership_join's). The
    current term's unpaid balance is split into drafts; the first is collected now and returned, to be
    sent to checkout (which also captures the bank account). A term paid in full has nothing to draft.
    The same form_token (or idempotency_key) returns the first call's payment.
    """
    idempotency_key, existing = _draft_form_key(member=member, plan_kind=plan_kind, draft_day=draft_day,
                                                idempotency_key=idempotency_key, form_token=form_token)
    if existing:
        return existing
    Member.objects.select_for_update().get(pk=member.pk)
    plan = _active_plan(member)
    if plan is None:
        raise MembershipError("You have no payment plan to change. Join or renew first.")
    if plan.kind == plan_kind and (plan_kind == PaymentPlan.Kind.PAYDAY or plan.draft_day == draft_day):
        return None
    terms = list(member.terms.select_for_update().filter(plan=plan, cancelled_at__isnull=True,
                                                         period__endswith__gt=today).order_by("period"))
    if any(not term.category.allows_installments for term in terms):
        raise MembershipError("Dues of your membership category are paid once a year.")

    def switch(authorization_row):
        plan.status, plan.cancelled_at = PaymentPlan.Status.CANCELLED, timezone.now()
        plan.save(update_fields=["status", "cancelled_at"])
        return PaymentPlan.objects.create(
            member=member, kind=plan_kind, draft_day=draft_day, authorization=authorization_row,
            auto_renew=plan.auto_renew if plan.is_installment else True, gateway=plan.gateway,
            gateway_customer=plan.gateway_customer,
            gateway_payment_method=plan.gateway_payment_method if plan.is_installment else "",
            payment_method_label=plan.payment_method_label if plan.is_installment else "",
        )

    if plan.is_installment:
        new_plan = switch(plan.authorization)
        for term in terms:
            term.plan = new_plan
            term.save(update_fields=["plan"])
            _reschedule(term=term, plan=new_plan, member=member, today=today)
        audit_record(actor=actor, ip=ip, action="plan.changed", obj=new_plan,
                     changes={"kind": [plan.kind, plan_kind], "draft_day": [plan.draft_day, draft_day]})
        return None

    current = next((t for t in terms if t.start <= today <= t.end), None)
    if current is None:
        raise MembershipError("You have no membership this year to pay by bank draft. Choose drafts when you renew.")
    payments = list(current.payments.select_for_update())
    balance = _balance_to_draft(current, payments)
    signed = _signed_authorization(member, authorization)
    new_plan = switch(signed)
    for term in terms:
        term.plan = new_plan
        term.save(update_fields=["plan"])
    first = _drafts_for_balance(term=current, plan=new_plan, member=member, balance=balance, payments=payments,
                                today=today, first_key=keys.first_payment(idempotency_key))
    audit_record(actor=actor, ip=ip, action="plan.changed", obj=new_plan,
                 changes={"kind": [plan.kind, plan_kind], "draft_day": [None, draft_day], "balance": str(balance)})
    followups.enqueue_document("authorization", signed.pk)
    return first


@transaction.atomic
def plan_drafts_restart(*, member: Member, term: MembershipTerm, plan_kind: str, draft_day: int = 1,
                        authorization: dict | None, actor, today: date, idempotency_key: str | None = None,
                        form_token=None, ip: str | None = None) -> Payment:
    """After the member stopped their drafts (plan_cancel_drafts): bank drafts again for what is left of `term`.

    Needs a new signed authorization (the stopped one was revoked). A new monthly or per-payday plan pays the
    term, renewing automatically as the authorization says; the term's balance is split into drafts on the
    plan's dates and the first is collected now and returned, to be sent to checkout (which also captures the
    bank account). Refused, with nothing stored, when the term was cancelled or is over, is paid in full, has a
    payment being processed, is still paid by a running plan, or when the member has another running plan.
    The same form_token (or idempotency_key) returns the first call's payment.
    """
    idempotency_key, existing = _draft_form_key(member=member, plan_kind=plan_kind, draft_day=draft_day,
                                                idempotency_key=idempotency_key, form_token=form_token)
    if existing:
        return existing
    Member.objects.select_for_update().get(pk=member.pk)
    term = (MembershipTerm.objects.select_for_update(of=("self",)).select_related("plan", "category")
            .get(pk=term.pk, member=member))
    stopped = term.plan
    if term.cancelled_at is not None:
        raise MembershipError("This membership was cancelled.")
    if term.end < today:
        raise MembershipError(f"Your {term.year_label} membership is over: there is nothing left to draft.")
    payments = list(term.payments.select_for_update())
    if (stopped is None or stopped.status == PaymentPlan.Status.ACTIVE
            or any(p.status == Payment.Status.SCHEDULED for p in payments)):
        raise MembershipError("Your plan pays this membership already. You can change it from your dashboard.")
    if _active_plan(member) is not None:
        raise MembershipError("You have a payment plan running already. You can change it from your dashboard.")
    if not term.category.allows_installments:
        raise MembershipError("Dues of your membership category are paid once a year.")
    balance = _balance_to_draft(term, payments)
    signed = _signed_authorization(member, authorization)
    plan = PaymentPlan.objects.create(member=member, kind=plan_kind, draft_day=draft_day, authorization=signed,
                                      auto_renew=True, gateway=stopped.gateway, gateway_customer=stopped.gateway_customer)
    term.plan = plan
    term.save(update_fields=["plan"])
    first = _drafts_for_balance(term=term, plan=plan, member=member, balance=balance, payments=payments, today=today,
                                first_key=keys.first_payment(idempotency_key))
    audit_record(actor=actor, ip=ip, action="plan.drafts_restarted", obj=plan,
                 changes={"kind": [stopped.kind, plan_kind], "draft_day": [None, draft_day], "balance": str(balance),
                          "term": term.year_label})
    followups.enqueue_document("authorization", signed.pk)
    return first


def _draft_form_key(*, member: Member, plan_kind: str, draft_day: int, idempotency_key: str | None,
                    form_token) -> tuple[str, Payment | None]:
    """Check the drafts chosen; (the key a plan form runs under, the first draft it made if it was sent before)."""
    if plan_kind not in (PaymentPlan.Kind.MONTHLY, PaymentPlan.Kind.PAYDAY):
        raise MembershipError("Choose monthly drafts or drafts on each payday.")
    if not 1 <= draft_day <= 28:
        raise MembershipError("Choose a draft day from 1 to 28.")
    key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.plan_change(member.pk))
    return key, Payment.objects.filter(idempotency_key=keys.first_payment(key)).first()


def _balance_to_draft(term: MembershipTerm, payments: list[Payment]) -> Decimal:
    """What is left to pay of a term whose payments (`payments`) are locked, to be drafted; refused while a
    payment is being processed or when nothing is owed."""
    if any(p.status == Payment.Status.PENDING for p in payments):
        raise MembershipError("A payment for this membership is being processed. Try again once it has cleared.")
    balance = term_money(term).balance
    if balance <= 0:
        raise MembershipError(f"Your {term.year_label} dues are paid in full, so there is nothing to draft this year. "
                              "You can choose bank drafts when you renew.")
    return balance


def _signed_authorization(member: Member, authorization: dict | None) -> DraftAuthorization:
    if not authorization:
        raise MembershipError("Bank drafts need your signed authorization.")
    return draft_authorization_record(member, authorization)


def _drafts_for_balance(*, term: MembershipTerm, plan: PaymentPlan, member: Member, balance: Decimal,
                        payments: list[Payment], today: date, first_key: str) -> Payment:
    """Draft `balance` of `term` on `plan`'s dates: the first draft pending (collected at checkout, under
    `first_key`), the others scheduled. What the term's old schedule left unpaid (a declined card, a returned
    draft, drafts never made) gives way to them: it leaves the schedule, and stays, for late events."""
    superseded = [p.pk for p in payments if p.installment_number is not None and p.status in (
        Payment.Status.FAILED, Payment.Status.SCHEDULED, Payment.Status.CANCELLED)]
    number = max((p.installment_number or 0 for p in payments), default=0)
    Payment.objects.filter(pk__in=superseded, status=Payment.Status.SCHEDULED).update(
        status=Payment.Status.CANCELLED, failure_message="Replaced by bank drafts.")
    Payment.objects.filter(pk__in=superseded).update(installment_number=None)
    start = max(term.start, today)
    dates = _draft_dates(kind=plan.kind, draft_day=plan.draft_day, member=member, start=term.start, end=term.end,
                         today=today)
    first = None
    for index, (due, amount) in enumerate(dues.split_installments(balance, [start, *dates])):
        number += 1
        payment = Payment.objects.create(
            member=member, term=term, amount=amount, due_on=due, gateway=plan.gateway,
            method=Payment.Method.BANK_DRAFT, installment_number=number,
            status=Payment.Status.PENDING if index == 0 else Payment.Status.SCHEDULED,
            idempotency_key=first_key if index == 0 else _draft_key(term, due),
        )
        first = first or payment
    return first


@transaction.atomic
def plan_payment_method_update_start(*, member: Member, actor, today: date, ip: str | None = None) -> Payment:
    """Start changing the bank account drafts come from: the next scheduled draft becomes a payment to
    collect now through checkout, and the account it is paid from is saved for the drafts after it.
    While one such early draft is waiting for checkout, asking again returns it."""
    plan = _active_plan(member)
    if plan is None or not plan.is_installment:
        raise MembershipError("You have no bank drafts to change the account of.")
    in_flight = (Payment.objects.select_for_update().filter(term__plan=plan, status=Payment.Status.PENDING)
                 .order_by("due_on").first())
    if in_flight is not None:
        if in_flight.method == Payment.Method.BANK_DRAFT and in_flight.due_on and in_flight.due_on > today:
            return in_flight
        raise MembershipError("A payment is being processed. Try again once it has cleared.")
    draft = (Payment.objects.select_for_update().filter(term__plan=plan, status=Payment.Status.SCHEDULED)
             .order_by("due_on").first())
    if draft is None:
        raise MembershipError("You have no drafts left this year. Your new account can be given when you renew.")
    draft.status = Payment.Status.PENDING
    draft.gateway = plan.gateway
    draft.save(update_fields=["status", "gateway"])
    audit_record(actor=actor, ip=ip, action="plan.payment_method_update_started", obj=plan,
                 changes={"payment": draft.pk, "amount": str(draft.amount), "due_on": draft.due_on.isoformat()})
    return draft


@transaction.atomic
def plan_payment_method_update_abandon(*, member: Member, payment: Payment, actor, today: date, ip: str | None = None) -> Payment:
    """The member left checkout without giving a new account: the early draft goes back on schedule."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk, member=member)
    if (payment.status == Payment.Status.PENDING and payment.method == Payment.Method.BANK_DRAFT
            and payment.installment_number and payment.due_on and payment.due_on > today):
        payment.status = Payment.Status.SCHEDULED
        payment.save(update_fields=["status"])
        audit_record(actor=actor, ip=ip, action="plan.payment_method_update_abandoned", obj=payment)
    return payment


def plan_change_payment_sent(*, member: Member, form_token) -> Payment | None:
    """The first draft a plan change (or drafts started again) form already made (the same signature sent again)."""
    if not form_token:
        return None
    return Payment.objects.filter(idempotency_key=keys.first_payment(keys.plan_change(member.pk)(str(form_token)))).first()
