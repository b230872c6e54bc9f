from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mae_portal.audit import audit_record, diff
from mae_portal.emails import send_email
from mae_portal.models import StoredDocument
from members import dues
from members.models import (
    DraftAuthorization,
    DuesRate,
    GatewayEvent,
    Member,
    MembershipCategory,
    MembershipTerm,
    Payment,
    PaymentPlan,
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


def member_record_pdf_request(*, member: Member, actor) -> StoredDocument:
    """Queue a PDF copy of the member's record. While one is being prepared, asking again returns
    it (a partial unique constraint makes a double submit create one document)."""
    from members.tasks import build_member_record_pdf

    try:
        with transaction.atomic():
            document = StoredDocument.objects.create(
                owner=member.user,
                kind=StoredDocument.Kind.MEMBER_RECORD,
                title="Copy of my member record",
                download_name=f"mae-member-record-{member.member_number}.pdf",
            )
            audit_record(actor=actor, action="member.record_pdf_requested", obj=member)
            transaction.on_commit(lambda: build_member_record_pdf.delay(str(document.pk)))
    except IntegrityError:
        document = StoredDocument.objects.get(
            owner=member.user, kind=StoredDocument.Kind.MEMBER_RECORD, status=StoredDocument.Status.PENDING
        )
    return document


def member_record_pdf_build(*, document_id) -> StoredDocument:
    """Render the member-record PDF for a pending document. Running it twice renders once."""
    from mae_portal.pdf import store_pdf

    with transaction.atomic():
        document = StoredDocument.objects.select_for_update(of=("self",)).select_related("owner__member").get(pk=document_id)
        if document.status != StoredDocument.Status.PENDING:
            return document
        member = Member.objects.select_related(
            "employer_district__region", "worksite", "career_field", "local"
        ).get(pk=document.owner.member.pk)
        store_pdf(document, "members/pdf/member_record.html", {"member": member, "document": document})
        send_email(
            "document-ready",
            to=document.owner.email,
            context={"name": member.display_name, "document": document},
            idempotency_key=f"document-ready:{document.pk}",
        )
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
            signed = DraftAuthorization.objects.create(
                member=member, typed_name=authorization["typed_name"], agreed_text=authorization["text"],
                text_version=settings.DRAFT_AUTHORIZATION_VERSION, ip_address=authorization.get("ip"),
                user_agent=authorization.get("user_agent", "")[:300], signed_at=authorization["signed_at"],
            )
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


def _enqueue_document(kind: str, pk):
    from members.tasks import build_membership_document

    build_membership_document.delay(kind, pk)


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
    """Mark a payment paid (idempotent: an out-of-order or repeated success changes nothing)."""
    if payment.status == Payment.Status.SUCCEEDED:
        return
    payment.status = Payment.Status.SUCCEEDED
    payment.paid_at = timezone.now()
    payment.gateway_reference = reference or payment.gateway_reference
    payment.failure_message = ""
    payment.save(update_fields=["status", "paid_at", "gateway_reference", "failure_message"])
    plan = payment.term.plan
    if outcome is not None and plan is not None and outcome.payment_method:
        plan.gateway_customer = outcome.customer or plan.gateway_customer
        plan.gateway_payment_method = outcome.payment_method
        plan.payment_method_label = outcome.payment_method_label or plan.payment_method_label
        plan.save(update_fields=["gateway_customer", "gateway_payment_method", "payment_method_label"])
    audit_record(actor=None, action="payment.succeeded", obj=payment, changes={"amount": str(payment.amount)})
    first_for_term = not payment.term.payments.filter(status=Payment.Status.SUCCEEDED).exclude(pk=payment.pk).exists()
    transaction.on_commit(lambda: _after_payment(payment.pk, first_for_term))


def _after_payment(payment_pk, first_for_term: bool):
    _enqueue_document("receipt", payment_pk)
    if first_for_term:
        from members.tasks import send_membership_welcome

        send_membership_welcome.delay(payment_pk)


def payment_failed(*, payment: Payment, message: str) -> None:
    """A declined card or returned draft. A payment already paid stays paid (events can arrive out of order)."""
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED):
        return
    payment.status = Payment.Status.FAILED
    payment.failure_message = message[:300]
    payment.save(update_fields=["status", "failure_message"])
    audit_record(actor=None, action="payment.failed", obj=payment, changes={"message": message[:300]})
    if payment.method == Payment.Method.BANK_DRAFT and payment.due_on and payment.term.payments.filter(
        status=Payment.Status.SUCCEEDED).exists():
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
