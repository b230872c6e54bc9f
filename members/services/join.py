"""Joining and renewing: the member record for joining, the term with its plan and first payment, staff sign-ups."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mae_portal.audit import audit_record, model_update
from members.models import (
    Member,
    MembershipCategory,
    MembershipTerm,
    Payment,
    PaymentPlan,
)
from members.selectors.terms import member_renewable_term
from members.services import followups, keys
from members.services.authorization import draft_authorization_record
from members.services.errors import MembershipError
from members.services.plans import plan_cancel_auto_renew
from members.services.quotes import installment_schedule, membership_quote

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
    member, _ = model_update(instance=member, data=data, actor=actor, action="member.updated_for_join", ip=ip,
                             update_fields_extra=("updated_at",))
    return member


@transaction.atomic
def membership_join(*, member: Member, category: MembershipCategory, plan_kind: str, draft_day: int = 1,
                    authorization: dict | None, actor, today: date, idempotency_key: str | None = None,
                    form_token=None, renewal_of: MembershipTerm | None = None, ip: str | None = None) -> Payment:
    """Create the pending term, its plan and the first payment to collect; returns that payment.

    The same form_token (one per form shown; or an idempotency_key of the caller's) returns the first call's payment: a double submit
    creates one term and one payment. Installment plans need the signed authorization:
    {"typed_name", "text", "ip", "user_agent", "signed_at"}.
    """
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.join(member.pk))
    existing = Payment.objects.filter(idempotency_key=keys.first_payment(idempotency_key)).select_related("term").first()
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
            signed = draft_authorization_record(member, authorization)
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
            idempotency_key=keys.first_payment(idempotency_key) if number == 0 else f"draft:{term.pk}:{due.isoformat()}",
        )
        first = first or payment
    audit_record(actor=actor, ip=ip, action="membership.renewal_started" if renewal_of else "membership.joined", obj=term,
                 changes={"category": category.code, "amount": str(quote.amount), "plan": plan_kind})
    if signed := plan.authorization if plan.is_installment else None:
        followups.enqueue_document("authorization", signed.pk)
    return first


STAFF_JOIN_METHODS = (Payment.Method.CHECK, Payment.Method.CASH, "online")


@transaction.atomic
def membership_join_by_staff(*, member: Member, category: MembershipCategory, renewal_of: MembershipTerm | None,
                             method: str, check_number: str = "", note: str = "", actor, today: date,
                             idempotency_key: str | None = None, form_token=None, ip: str | None = None) -> Payment:
    """Staff sign a member up, or renew them, at the office: an annual term through membership_join.

    With a check or cash in hand the term's dues payment is recorded paid at once (receipt, welcome email
    and card follow, as after any first payment); "online" leaves it pending for the member to pay by card.
    A plan with no saved card stops renewing automatically (there is nothing to charge).
    The same form_token (or idempotency_key) makes one term and one payment."""
    if method not in STAFF_JOIN_METHODS:
        raise MembershipError("Choose check, cash or online payment by the member.")
    if method == Payment.Method.CHECK and not check_number.strip():
        raise MembershipError("Enter the check number.")
    idempotency_key = keys.chosen(idempotency_key=idempotency_key, form_token=form_token, make=keys.staff("join"))
    existing = Payment.objects.filter(idempotency_key=keys.first_payment(idempotency_key)).first()
    if existing is None and renewal_of is not None:
        if renewal_of.member_id != member.pk or renewal_of.pk != getattr(
                member_renewable_term(member, today=today), "pk", None):
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
    audit_record(actor=actor, ip=ip, action="payment.recorded", obj=payment,
                 changes={"amount": str(payment.amount), "method": method, "note": payment.note,
                          "check_number": payment.check_number})
    followups.after_payment(payment.pk, True)
    return payment


def join_payment_sent(*, member: Member, form_token) -> Payment | None:
    """The first payment a join or renewal form already made (the form sent again: a double click, the back button)."""
    if not form_token:
        return None
    key = keys.first_payment(keys.join(member.pk)(str(form_token)))
    return Payment.objects.filter(idempotency_key=key).select_related("term").first()
