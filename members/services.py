from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from mae_portal.audit import audit_record, diff
from mae_portal.models import AuditLog, StoredDocument
from members import dues
from members.models import (
    DraftAuthorization,
    DuesRate,
    GatewayEvent,
    Member,
    MemberNote,
    MembershipCategory,
    MembershipTerm,
    Payment,
    PaymentPlan,
    RenewalNoticeRule,
    RenewalPolicy,
)


@transaction.atomic
def member_update_profile(*, member: Member, actor, data: dict, ip: str | None) -> Member:
    """Apply the cleaned fields of ProfileForm to the member and audit what changed."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = {field: getattr(member, field) for field in data}
    for field, value in data.items():
        setattr(member, field, value)
    changes = diff(before, data)
    if changes:
        member.save(update_fields=[*changes.keys(), "updated_at"])
        audit_record(actor=actor, action="member.profile_updated", obj=member, changes=changes, ip=ip)
    return member


@transaction.atomic
def member_record_pdf_request(*, member: Member, actor) -> StoredDocument:
    """Queue a PDF copy of the member's record (built by the core's document task, which emails the
    member when it is ready). While one is being prepared, asking again returns it."""
    from mae_portal.documents import document_request

    document, created = document_request(kind="member_record", subject=member, owner=member.user)
    if created:
        audit_record(actor=actor, action="member.record_pdf_requested", obj=member)
    return document


def roster_export_audit(*, actor, count: int, filters: dict, ip: str | None) -> None:
    audit_record(actor=actor, action="members.roster_exported", changes={"rows": count, "filters": filters}, ip=ip)


# --- Membership: quotes, joining, payments, renewals ------------------------------------------------------

class MembershipError(Exception):
    """A rule of membership refused the request; the message is for the member or staff to read."""


@dataclass(frozen=True)
class Quote:
    category: MembershipCategory
    membership_year: int
    start: date
    end: date
    shares: dues.Shares
    full_year: dues.Shares
    renewal: bool

    @property
    def amount(self) -> Decimal:
        return self.shares.total

    @property
    def prorated(self) -> bool:
        return self.shares != self.full_year


def rate_on(category: MembershipCategory, day: date) -> DuesRate:
    rate = category.rates.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rate is None:
        raise MembershipError(f"No dues rate is set for {category} on {day:%B %-d, %Y}. Please call membership staff.")
    return rate


def suggest_category(member: Member) -> MembershipCategory | None:
    """The category a member's profile points to: ESP full- or part-time, else active professional."""
    categories = MembershipCategory.objects.filter(is_active=True, is_retired=False, is_student=False)
    kind = member.career_field.kind if member.career_field else ""
    for category in categories:
        if category.suggested_for_kind == kind and category.suggested_for_basis in ("", member.employment_basis):
            return category
    return categories.filter(suggested_for_kind="professional").first() or categories.first()


def membership_quote(*, category: MembershipCategory, today: date, renewal_of: MembershipTerm | None = None) -> Quote:
    """Dues for joining today (prorated by the category's rule) or for the year after renewal_of."""
    if renewal_of is not None:
        year = renewal_of.membership_year + 1
        start, end = dues.membership_year_bounds(year)
    else:
        year = dues.membership_year_for(today)
        start, end = today, dues.membership_year_bounds(year)[1]
    rate = rate_on(category, start)
    full = dues.Shares(rate.local_share, rate.state_share, rate.national_share)
    shares = dues.dues_for(full, category.proration, start, renewal=renewal_of is not None)
    return Quote(category, year, start, end, shares, full, renewal_of is not None)


def installment_schedule(*, plan: PaymentPlan, member: Member, start: date, end: date, amount: Decimal, today: date):
    """(date, amount) drafts for an installment plan; the first is drafted today at checkout."""
    district = member.employer_district
    dates = dues.installment_dates(
        frequency="payday" if plan.kind == PaymentPlan.Kind.PAYDAY else "monthly",
        start=max(start, today) + timedelta(days=1), end=end, day_of_month=plan.draft_day,
        pay_schedule=district.pay_schedule if district else dues.PaySchedule.MONTHLY_LAST_BUSINESS_DAY,
        pay_anchor=district.pay_anchor if district else None,
    )
    return dues.split_installments(amount, [max(start, today), *dates])


@transaction.atomic
def membership_join(*, member: Member, category: MembershipCategory, plan_kind: str, draft_day: int = 1,
                    authorization: dict | None, actor, today: date, idempotency_key: str,
                    renewal_of: MembershipTerm | None = None) -> Payment:
    """Create the pending term, its plan and the first payment to collect; returns that payment.

    The same idempotency_key (one per form shown) returns the first call's payment: a double submit
    creates one term and one payment. Installment plans need the signed authorization:
    {"typed_name", "text", "ip", "user_agent", "signed_at"}.
    """
    existing = Payment.objects.filter(idempotency_key=f"{idempotency_key}:first").select_related("term").first()
    if existing:
        return existing
    Member.objects.select_for_update().get(pk=member.pk)  # one join at a time per member
    if not category.is_active:
        raise MembershipError("That category is not open for joining.")
    if plan_kind != PaymentPlan.Kind.ANNUAL and not category.allows_installments:
        raise MembershipError(f"{category} dues are paid once a year.")
    quote = membership_quote(category=category, today=today, renewal_of=renewal_of)
    clash = member.terms.filter(cancelled_at__isnull=True, period__overlap=(quote.start, quote.end + timedelta(days=1)))
    if clash.exists():
        raise MembershipError(f"You already have a membership for {clash.first().year_label}.")

    plan = member.plans.filter(status=PaymentPlan.Status.ACTIVE).first()
    if plan is None or plan.kind != plan_kind:
        if plan is not None:
            plan.status, plan.cancelled_at = PaymentPlan.Status.CANCELLED, timezone.now()
            plan.save(update_fields=["status", "cancelled_at"])
        signed = None
        if plan_kind != PaymentPlan.Kind.ANNUAL:
            if not authorization:
                raise MembershipError("Bank drafts need your signed authorization.")
            signed = _authorization_record(member, authorization)
        plan = PaymentPlan.objects.create(member=member, kind=plan_kind, draft_day=draft_day, authorization=signed,
                                          gateway=settings.PAYMENT_GATEWAY)
    term = MembershipTerm.objects.create(
        member=member, category=category, membership_year=quote.membership_year,
        period=(quote.start, quote.end + timedelta(days=1)), continues=renewal_of, plan=plan,
        local_share=quote.shares.local, state_share=quote.shares.state, national_share=quote.shares.national,
        amount_due=quote.amount,
    )
    if plan.is_installment:
        schedule = installment_schedule(plan=plan, member=member, start=quote.start, end=quote.end,
                                        amount=quote.amount, today=today)
    else:
        schedule = [(today, quote.amount)]
    first = None
    for number, (due, amount) in enumerate(schedule):
        payment = Payment.objects.create(
            member=member, term=term, amount=amount, due_on=due, gateway=plan.gateway,
            method=Payment.Method.BANK_DRAFT if plan.is_installment else Payment.Method.CARD,
            status=Payment.Status.PENDING if number == 0 else Payment.Status.SCHEDULED, installment_number=number + 1,
            idempotency_key=f"{idempotency_key}:first" if number == 0 else f"draft:{term.pk}:{due.isoformat()}",
        )
        first = first or payment
    audit_record(actor=actor, action="membership.renewal_started" if renewal_of else "membership.joined", obj=term,
                 changes={"category": category.code, "amount": str(quote.amount), "plan": plan_kind})
    if signed := plan.authorization if plan.is_installment else None:
        transaction.on_commit(lambda: _enqueue_document("authorization", signed.pk))
    return first


def _authorization_record(member: Member, authorization: dict) -> DraftAuthorization:
    """Keep what the member signed: {"typed_name", "text" (exactly as shown), "ip", "user_agent", "signed_at"}."""
    return DraftAuthorization.objects.create(
        member=member, typed_name=authorization["typed_name"], agreed_text=authorization["text"],
        text_version=settings.DRAFT_AUTHORIZATION_VERSION, ip_address=authorization.get("ip"),
        user_agent=authorization.get("user_agent", "")[:300], signed_at=authorization["signed_at"],
    )


_DOCUMENT_SUBJECTS = {"receipt": Payment, "card": MembershipTerm, "coverage_letter": MembershipTerm,
                      "authorization": DraftAuthorization}


def _enqueue_document(kind: str, pk):
    """Record the document's PENDING row; its build is enqueued when that commits, and a sweep finishes
    any row whose task never reached the broker."""
    from members.documents import membership_document_request

    subject = _DOCUMENT_SUBJECTS[kind].objects.select_related("member").filter(pk=pk).first()
    if subject is not None:
        membership_document_request(kind=kind, subject=subject)


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
    transaction.on_commit(lambda: _after_payment(payment.pk, first_for_term))


def _after_payment(payment_pk, first_for_term: bool):
    payment = Payment.objects.only("amount", "term_id").get(pk=payment_pk)
    if payment.amount > 0:
        _enqueue_document("receipt", payment_pk)
    if first_for_term:
        from members.tasks import send_membership_welcome

        # The card and letter are recorded before the welcome task is sent, so neither waits on it.
        for kind in ("card", "coverage_letter"):
            _enqueue_document(kind, payment.term_id)

        send_membership_welcome.delay(payment_pk)


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
        from members.tasks import send_draft_failed

        transaction.on_commit(lambda: send_draft_failed.delay(payment.pk))


@transaction.atomic
def payment_retry(*, payment: Payment, idempotency_key: str) -> Payment:
    """Pay now after a decline or a failed draft: a new pending card payment for the same amount.
    The failed attempt stays as it was, so a late event about it still finds it."""
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
                   action) -> Payment:
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    payment = Payment.objects.create(
        member=term.member, term=term, amount=amount, method=method, status=Payment.Status.SUCCEEDED,
        gateway="manual", idempotency_key=idempotency_key, note=note[:300], check_number=check_number,
        refund_of=refund_of, recorded_by=actor, paid_at=timezone.now(), due_on=timezone.localdate(),
    )
    audit_record(actor=actor, action=action, obj=payment,
                 changes={"amount": str(amount), "method": method, "note": note, "check_number": check_number})
    return payment


@transaction.atomic
def payment_record(*, term: MembershipTerm, amount: Decimal, method: str, check_number: str = "", note: str = "",
                   actor, idempotency_key: str) -> Payment:
    """Staff record a check or cash payment."""
    if amount <= 0:
        raise MembershipError("Enter an amount above zero.")
    if method not in (Payment.Method.CHECK, Payment.Method.CASH):
        raise MembershipError("Staff record checks and cash; cards and drafts go through the gateway.")
    if method == Payment.Method.CHECK and not check_number.strip():
        raise MembershipError("Enter the check number.")
    first = not term.payments.filter(status=Payment.Status.SUCCEEDED).exists()
    payment = _staff_payment(term=term, amount=amount, method=method, actor=actor, idempotency_key=idempotency_key,
                             note=note, check_number=check_number.strip(), action="payment.recorded")
    transaction.on_commit(lambda: _after_payment(payment.pk, first))
    return payment


@transaction.atomic
def payment_refund(*, payment: Payment, amount: Decimal, reason: str, actor, idempotency_key: str) -> Payment:
    """Refund part or all of a paid payment (recorded as a negative payment)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.SUCCEEDED or payment.amount <= 0:
        raise MembershipError("Only a paid payment can be refunded.")
    already = -sum((r.amount for r in payment.refunds.all()), Decimal("0"))
    if amount <= 0 or amount > payment.amount - already:
        raise MembershipError(f"Refund between $0.01 and ${payment.amount - already}.")
    if not reason.strip():
        raise MembershipError("Say why the refund is made.")
    return _staff_payment(term=payment.term, amount=-amount, method=payment.method, actor=actor,
                          idempotency_key=idempotency_key, note=reason, refund_of=payment, action="payment.refunded")


@transaction.atomic
def payment_adjust(*, term: MembershipTerm, amount: Decimal, reason: str, actor, idempotency_key: str) -> Payment:
    """A credit (positive) or charge (negative) against a term, e.g. a hardship waiver."""
    if amount == 0 or not reason.strip():
        raise MembershipError("Enter a non-zero amount and the reason.")
    return _staff_payment(term=term, amount=amount, method=Payment.Method.ADJUSTMENT, actor=actor,
                          idempotency_key=idempotency_key, note=reason, action="payment.adjusted")


@transaction.atomic
def term_change_category(*, term: MembershipTerm, category: MembershipCategory, actor) -> MembershipTerm:
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
    audit_record(actor=actor, action="term.category_changed", obj=term,
                 changes={"category": [before["category"], category.code], "amount_due": [before["amount_due"], str(term.amount_due)]})
    return term


@transaction.atomic
def term_cancel(*, term: MembershipTerm, reason: str, actor) -> MembershipTerm:
    term = MembershipTerm.objects.select_for_update().get(pk=term.pk)
    if term.cancelled_at:
        return term
    if not reason.strip():
        raise MembershipError("Say why the term is cancelled.")
    term.cancelled_at, term.cancel_reason = timezone.now(), reason.strip()[:200]
    term.save(update_fields=["cancelled_at", "cancel_reason"])
    term.payments.filter(status=Payment.Status.SCHEDULED).update(status=Payment.Status.FAILED,
                                                                  failure_message="Term cancelled")
    audit_record(actor=actor, action="term.cancelled", obj=term, changes={"reason": reason})
    return term


@transaction.atomic
def term_reinstate(*, term: MembershipTerm, actor) -> MembershipTerm:
    term = MembershipTerm.objects.select_for_update().get(pk=term.pk)
    if not term.cancelled_at:
        return term
    if term.member.terms.filter(cancelled_at__isnull=True, period__overlap=term.period).exclude(pk=term.pk).exists():
        raise MembershipError("Another term now covers these dates; cancel it first.")
    term.cancelled_at, term.cancel_reason = None, ""
    term.save(update_fields=["cancelled_at", "cancel_reason"])
    audit_record(actor=actor, action="term.reinstated", obj=term)
    return term


@transaction.atomic
def plan_cancel_auto_renew(*, plan: PaymentPlan, actor) -> PaymentPlan:
    """Stop renewing automatically. Drafts already scheduled for this year still run."""
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.auto_renew:
        plan.auto_renew = False
        plan.save(update_fields=["auto_renew"])
        audit_record(actor=actor, action="plan.auto_renew_cancelled", obj=plan)
    return plan


@transaction.atomic
def plan_cancel_drafts(*, plan: PaymentPlan, actor) -> PaymentPlan:
    """Revoke the bank-draft authorization: no further drafts; what is left is paid by card."""
    plan = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PaymentPlan.Status.CANCELLED:
        return plan
    plan.status, plan.cancelled_at, plan.auto_renew = PaymentPlan.Status.CANCELLED, timezone.now(), False
    plan.save(update_fields=["status", "cancelled_at", "auto_renew"])
    if plan.authorization_id:
        DraftAuthorization.objects.filter(pk=plan.authorization_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    Payment.objects.filter(term__plan=plan, status=Payment.Status.SCHEDULED).update(
        status=Payment.Status.FAILED, failure_message="Drafts cancelled by the member; pay the rest by card.")
    audit_record(actor=actor, action="plan.drafts_cancelled", obj=plan)
    return plan


# --- member flows (join views) ---------------------------------------------------------------------------

JOIN_PROFILE_FIELDS = (
    "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name", "mobile_phone",
    "address_line1", "address_line2", "city", "state", "zip_code", "employer_district", "worksite",
    "job_title", "career_field", "employment_basis", "hire_date",
)


@transaction.atomic
def member_create_or_update_for_join(*, user, data: dict, actor, ip: str | None) -> Member:
    """Create the signed-in user's member record from the join form, or update the one they have.

    The local follows from the employer district (Local.districts); the worksite must be one of the
    district's. Audited: the fields set on creation, the fields changed on update.
    """
    from members.models import Local

    data = {field: data[field] for field in JOIN_PROFILE_FIELDS if field in data}
    district, worksite = data.get("employer_district"), data.get("worksite")
    if worksite is not None and (district is None or worksite.district_id != district.pk):
        raise MembershipError("Choose a worksite of your school district.")
    data["local"] = Local.objects.filter(districts=district).order_by("name").first() if district else None
    member = Member.objects.select_for_update().filter(user=user).first()
    if member is None:
        member = Member.objects.create(user=user, email=user.email, **data)
        audit_record(actor=actor, action="member.created_for_join", obj=member,
                     changes={field: [None, str(value) if value is not None else None] for field, value in data.items()},
                     ip=ip)
        return member
    before = {field: getattr(member, field) for field in data}
    changes = diff(before, data)
    if changes:
        for field in changes:
            setattr(member, field, data[field])
        member.save(update_fields=[*changes.keys(), "updated_at"])
        audit_record(actor=actor, action="member.updated_for_join", obj=member, changes=changes, ip=ip)
    return member


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
                today: date, idempotency_key: str) -> Payment | None:
    """Switch the member's active plan to monthly or per-payday bank drafts.

    Between draft plans: the drafts not yet made, for this year and a renewal already started, move to
    the new dates (same total); the signed authorization carries over, as its text says. Returns None.

    From an annual card plan: needs a new signed authorization (same shape as membership_join's). The
    current term's unpaid balance is split into drafts; the first is collected now and returned, to be
    sent to checkout (which also captures the bank account). A term paid in full has nothing to draft.
    The same idempotency_key returns the first call's payment.
    """
    if plan_kind not in (PaymentPlan.Kind.MONTHLY, PaymentPlan.Kind.PAYDAY):
        raise MembershipError("Choose monthly drafts or drafts on each payday.")
    if not 1 <= draft_day <= 28:
        raise MembershipError("Choose a draft day from 1 to 28.")
    existing = Payment.objects.filter(idempotency_key=f"{idempotency_key}:first").first()
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
        audit_record(actor=actor, action="plan.changed", obj=new_plan,
                     changes={"kind": [plan.kind, plan_kind], "draft_day": [plan.draft_day, draft_day]})
        return None

    current = next((t for t in terms if t.start <= today <= t.end), None)
    if current is None:
        raise MembershipError("You have no membership this year to pay by bank draft. Choose drafts when you renew.")
    payments = list(current.payments.select_for_update())
    if any(p.status == Payment.Status.PENDING for p in payments):
        raise MembershipError("A payment for this membership is being processed. Try again once it has cleared.")
    paid = sum((p.amount for p in payments if p.status == Payment.Status.SUCCEEDED), Decimal("0"))
    balance = current.amount_due - paid
    if balance <= 0:
        raise MembershipError(f"Your {current.year_label} dues are paid in full, so there is nothing to draft this year. "
                              "You can choose bank drafts when you renew.")
    if not authorization:
        raise MembershipError("Bank drafts need your signed authorization.")
    signed = _authorization_record(member, authorization)
    new_plan = switch(signed)
    for term in terms:
        term.plan = new_plan
        term.save(update_fields=["plan"])
    # The unpaid card payment of the old schedule gives way to the drafts (it stays, for late events).
    superseded = [p.pk for p in payments if p.status in (Payment.Status.FAILED, Payment.Status.SCHEDULED)
                  and p.installment_number is not None]
    number = max((p.installment_number or 0) for p in payments)
    Payment.objects.filter(pk__in=superseded, status=Payment.Status.SCHEDULED).update(
        status=Payment.Status.FAILED, failure_message="Replaced by bank drafts.")
    Payment.objects.filter(pk__in=superseded).update(installment_number=None)
    start = max(current.start, today)
    dates = _draft_dates(kind=plan_kind, draft_day=draft_day, member=member, start=current.start, end=current.end,
                         today=today)
    first = None
    for index, (due, amount) in enumerate(dues.split_installments(balance, [start, *dates])):
        number += 1
        payment = Payment.objects.create(
            member=member, term=current, amount=amount, due_on=due, gateway=new_plan.gateway,
            method=Payment.Method.BANK_DRAFT, installment_number=number,
            status=Payment.Status.PENDING if index == 0 else Payment.Status.SCHEDULED,
            idempotency_key=f"{idempotency_key}:first" if index == 0 else _draft_key(current, due),
        )
        first = first or payment
    audit_record(actor=actor, action="plan.changed", obj=new_plan,
                 changes={"kind": [plan.kind, plan_kind], "draft_day": [None, draft_day], "balance": str(balance)})
    transaction.on_commit(lambda: _enqueue_document("authorization", signed.pk))
    return first


@transaction.atomic
def plan_payment_method_update_start(*, member: Member, actor, today: date) -> Payment:
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
    audit_record(actor=actor, action="plan.payment_method_update_started", obj=plan,
                 changes={"payment": draft.pk, "amount": str(draft.amount), "due_on": draft.due_on.isoformat()})
    return draft


@transaction.atomic
def plan_payment_method_update_abandon(*, member: Member, payment: Payment, actor, today: date) -> Payment:
    """The member left checkout without giving a new account: the early draft goes back on schedule."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk, member=member)
    if (payment.status == Payment.Status.PENDING and payment.method == Payment.Method.BANK_DRAFT
            and payment.installment_number and payment.due_on and payment.due_on > today):
        payment.status = Payment.Status.SCHEDULED
        payment.save(update_fields=["status"])
        audit_record(actor=actor, action="plan.payment_method_update_abandoned", obj=payment)
    return payment


# --- staff pages ---------------------------------------------------------------------------------------------


STAFF_JOIN_METHODS = (Payment.Method.CHECK, Payment.Method.CASH, "online")


def _plain_values(data: dict) -> dict:
    return {key: value if isinstance(value, (bool, int, str)) or value is None else str(value)
            for key, value in data.items()}


@transaction.atomic
def member_note_add(*, member: Member, text: str, actor, form_token: str) -> MemberNote:
    """Add a staff note to a member's record, audited. The same form_token (one per form shown) adds
    one note however often the form is sent: it is kept in the audit row and looked for first."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    text = text.strip()
    if not text:
        raise MembershipError("Write the note.")
    done = (AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk),
                                    action="member.note_added", changes__form_token=form_token)
            .values_list("changes", flat=True).first())
    if done:
        return MemberNote.objects.get(pk=done["note"])
    note = MemberNote.objects.create(member=member, author=actor, text=text)
    audit_record(actor=actor, action="member.note_added", obj=member,
                 changes={"note": note.pk, "length": len(text), "form_token": form_token})
    return note


def staff_renewable_term(member: Member, *, today: date) -> MembershipTerm | None:
    """The member's latest live term, if it may be renewed today: its renewal window (or the grace period
    after it) is open and it has not been renewed yet."""
    latest = member.terms.filter(cancelled_at__isnull=True).order_by("-membership_year", "-created_at").first()
    if latest is None or MembershipTerm.objects.filter(continues=latest).exists():
        return None
    policy = RenewalPolicy.current()
    if not dues.is_renewal_window_open(latest.end, policy.renewal_window_days, policy.grace_period_days, today):
        return None
    return latest


@transaction.atomic
def membership_join_by_staff(*, member: Member, category: MembershipCategory, renewal_of: MembershipTerm | None,
                             method: str, check_number: str = "", note: str = "", actor, today: date,
                             idempotency_key: str) -> Payment:
    """Staff sign a member up, or renew them, at the office: an annual term through membership_join.

    With a check or cash in hand the term's dues payment is recorded paid at once (receipt, welcome email
    and card follow, as after any first payment); "online" leaves it pending for the member to pay by card.
    A plan with no saved card stops renewing automatically (there is nothing to charge).
    The same idempotency_key makes one term and one payment."""
    if method not in STAFF_JOIN_METHODS:
        raise MembershipError("Choose check, cash or online payment by the member.")
    if method == Payment.Method.CHECK and not check_number.strip():
        raise MembershipError("Enter the check number.")
    existing = Payment.objects.filter(idempotency_key=f"{idempotency_key}:first").first()
    if existing is None and renewal_of is not None:
        if renewal_of.member_id != member.pk or renewal_of.pk != getattr(
                staff_renewable_term(member, today=today), "pk", None):
            raise MembershipError(f"The {renewal_of.year_label} membership cannot be renewed today.")
    payment = existing or membership_join(
        member=member, category=category, plan_kind=PaymentPlan.Kind.ANNUAL, authorization=None, actor=actor,
        today=today, idempotency_key=idempotency_key, renewal_of=renewal_of,
    )
    plan = payment.term.plan
    if plan is not None and plan.auto_renew and not plan.gateway_payment_method:
        plan_cancel_auto_renew(plan=plan, actor=actor)
    if method == "online":
        return payment
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING:
        return payment  # already recorded (a double submit), or paid online meanwhile
    payment.method, payment.status, payment.gateway = method, Payment.Status.SUCCEEDED, "manual"
    payment.check_number, payment.note = check_number.strip(), note.strip()[:300]
    payment.recorded_by, payment.paid_at = actor, timezone.now()
    payment.save(update_fields=["method", "status", "gateway", "check_number", "note", "recorded_by", "paid_at"])
    audit_record(actor=actor, action="payment.recorded", obj=payment,
                 changes={"amount": str(payment.amount), "method": method, "note": payment.note,
                          "check_number": payment.check_number})
    transaction.on_commit(lambda: _after_payment(payment.pk, True))
    return payment


def term_category_change_quote(*, term: MembershipTerm, category: MembershipCategory) -> dues.Shares:
    """The dues term_change_category would set: the category's rate on the term's own start date, prorated
    unless the term is a renewal. For the confirmation page; the service computes it again when it runs."""
    rate = rate_on(category, term.start)
    full = dues.Shares(rate.local_share, rate.state_share, rate.national_share)
    return dues.dues_for(full, category.proration, term.start, renewal=term.continues_id is not None)


@transaction.atomic
def category_create(*, data: dict, first_rate: dict, actor) -> MembershipCategory:
    """A new membership category with its first dues rate. data: MembershipCategory fields;
    first_rate: effective_from, local_share, state_share, national_share."""
    if MembershipCategory.objects.filter(code=data["code"]).exists() or MembershipCategory.objects.filter(
            name__iexact=data["name"]).exists():
        raise MembershipError("A category with that code or name exists already.")
    category = MembershipCategory.objects.create(**data)
    rate = dues_rate_add(category=category, actor=actor, audited=False, **first_rate)
    audit_record(actor=actor, action="category.created", obj=category,
                 changes={**_plain_values(data), "rate": _rate_summary(rate)})
    return category


@transaction.atomic
def category_update(*, category: MembershipCategory, data: dict, actor) -> MembershipCategory:
    category = MembershipCategory.objects.select_for_update().get(pk=category.pk)
    if MembershipCategory.objects.filter(name__iexact=data.get("name", category.name)).exclude(pk=category.pk).exists():
        raise MembershipError("Another category has that name.")
    before = {field: getattr(category, field) for field in data}
    changes = diff(before, data)
    if changes:
        for field in changes:
            setattr(category, field, data[field])
        category.save(update_fields=list(changes))
        audit_record(actor=actor, action="category.updated", obj=category, changes=changes)
    return category


def _rate_summary(rate: DuesRate) -> dict:
    return {"effective_from": rate.effective_from.isoformat(), "local": str(rate.local_share),
            "state": str(rate.state_share), "national": str(rate.national_share), "total": str(rate.total)}


@transaction.atomic
def dues_rate_add(*, category: MembershipCategory, effective_from: date, local_share: Decimal, state_share: Decimal,
                  national_share: Decimal, actor, audited: bool = True) -> DuesRate:
    """A category's dues from a date on. Terms already made keep the dues they were made with."""
    local_share, state_share, national_share = (Decimal(value).quantize(dues.CENT)
                                                for value in (local_share, state_share, national_share))
    if min(local_share, state_share, national_share) < 0:
        raise MembershipError("Shares cannot be negative.")
    if category.rates.filter(effective_from=effective_from).exists():
        raise MembershipError(f"{category} already has a rate from {effective_from:%B %-d, %Y}.")
    try:
        with transaction.atomic():
            rate = DuesRate.objects.create(category=category, effective_from=effective_from, local_share=local_share,
                                           state_share=state_share, national_share=national_share)
    except IntegrityError as error:
        raise MembershipError(f"{category} already has a rate from {effective_from:%B %-d, %Y}.") from error
    if audited:
        audit_record(actor=actor, action="dues_rate.added", obj=rate, changes=_rate_summary(rate))
    return rate


@transaction.atomic
def renewal_policy_update(*, renewal_window_days: int, grace_period_days: int, actor) -> RenewalPolicy:
    RenewalPolicy.current()
    policy = RenewalPolicy.objects.select_for_update().get(pk=1)
    data = {"renewal_window_days": renewal_window_days, "grace_period_days": grace_period_days}
    changes = diff({field: getattr(policy, field) for field in data}, data)
    if changes:
        for field in changes:
            setattr(policy, field, data[field])
        policy.save(update_fields=list(changes))
        audit_record(actor=actor, action="renewal_policy.updated", obj=policy, changes=changes)
    return policy


@transaction.atomic
def notice_rule_add(*, category: MembershipCategory | None, offset_days: int, actor) -> RenewalNoticeRule:
    """A renewal notice sent offset_days from the end of a term (negative: before), for one category or all."""
    if RenewalNoticeRule.objects.filter(category=category, offset_days=offset_days).exists():
        raise MembershipError("That notice exists already; turn it back on if it is off.")
    try:
        with transaction.atomic():
            rule = RenewalNoticeRule.objects.create(category=category, offset_days=offset_days)
    except IntegrityError as error:
        raise MembershipError("That notice exists already.") from error
    audit_record(actor=actor, action="notice_rule.added", obj=rule,
                 changes={"category": category.code if category else None, "offset_days": offset_days})
    return rule


@transaction.atomic
def notice_rule_set_active(*, rule: RenewalNoticeRule, is_active: bool, actor) -> RenewalNoticeRule:
    """Turn a renewal notice on or off. Rules are not deleted: the notices already sent refer to them."""
    rule = RenewalNoticeRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_active != is_active:
        rule.is_active = is_active
        rule.save(update_fields=["is_active"])
        audit_record(actor=actor, action="notice_rule.updated", obj=rule, changes={"is_active": [not is_active, is_active]})
    return rule
