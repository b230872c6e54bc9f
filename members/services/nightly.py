"""The nightly membership run: automatic renewals, installment drafts, renewal notices, lapse notices.

Each job takes `today` (never reads the clock) and is idempotent: running it twice on the same day,
or again the next day, does nothing it already did. Automatic renewals are keyed by the term they
renew, a draft is charged only while it is still SCHEDULED, and every email carries an idempotency
key (renewal notices are also recorded as RenewalNotice rows, one per term and rule).
"""

import json
import logging
from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from mae_portal.audit import audit_record
from mae_portal.db_cursor import unprepared
from mae_portal.emails import email_renderer, queue_rendered_emails, send_email
from mae_portal.models import EmailDelivery
from members import dues
from members.documents import member_email
from members.models import (
    MembershipTerm,
    Payment,
    PaymentPlan,
    RenewalNotice,
    RenewalNoticeRule,
    RenewalPolicy,
)
from members.selectors.terms import term_money, term_status, terms_with_money
from members.services.errors import MembershipError
from members.services.gateways.registry import get_gateway
from members.services.join import membership_join
from members.services.payments import gateway_event_handle, payment_cancel, payment_failed, payment_flag
from members.services.quotes import rate_on
from members.services.standing import member_standing_refresh_run

log = logging.getLogger(__name__)

INSTALLMENT_KINDS = [PaymentPlan.Kind.MONTHLY, PaymentPlan.Kind.PAYDAY]
# A notice whose day passed while the job did not run still goes out for this many days; older ones never do.
NOTICE_CATCH_UP_DAYS = 7
ONE_DAY = timedelta(days=1)
GOOD_STANDING = (dues.TermStatus.ACTIVE, dues.TermStatus.EXPIRED)


def _ending_between(first: date, last: date) -> Q:
    """Terms whose last day is between first and last (the stored upper bound is the day after)."""
    return Q(period__endswith__gte=first + ONE_DAY, period__endswith__lte=last + ONE_DAY)


def _renews_automatically(plan: PaymentPlan | None) -> bool:
    return bool(plan and plan.status == PaymentPlan.Status.ACTIVE and plan.is_installment and plan.auto_renew)


# --- Automatic renewals ----------------------------------------------------------------------------------------


@transaction.atomic
def auto_renewal_start(*, term: MembershipTerm, today: date) -> Payment:
    """Renew a term on its installment plan: the next year's term and draft schedule, on the same plan
    and authorization (membership_join reuses the member's active plan when the kind is the same, so
    no new signature is needed). Nobody is at a checkout, so the first payment is scheduled and
    charged by installment_drafts_run on its day like any other draft. Idempotent per term."""
    key = f"auto-renew:{term.pk}"
    already = Payment.objects.filter(idempotency_key=f"{key}:first").exists()
    first = membership_join(
        member=term.member, category=term.category, plan_kind=term.plan.kind, draft_day=term.plan.draft_day,
        authorization=None, actor=None, today=today, idempotency_key=key, renewal_of=term,
    )
    if not already:
        Payment.objects.filter(pk=first.pk, status=Payment.Status.PENDING).update(status=Payment.Status.SCHEDULED)
        first.refresh_from_db(fields=["status"])
    return first


def auto_renewals_run(*, today: date) -> dict:
    """Renew every term on an active auto-renewing installment plan whose renewal window is open,
    that is in good standing and has not been renewed yet."""
    policy = RenewalPolicy.current()
    window, grace = policy.renewal_window_days, policy.grace_period_days
    candidates = terms_with_money(
        MembershipTerm.objects.filter(
            _ending_between(today - timedelta(days=grace), today + timedelta(days=window)),
            cancelled_at__isnull=True, renewed_by__isnull=True, plan__status=PaymentPlan.Status.ACTIVE,
            plan__kind__in=INSTALLMENT_KINDS, plan__auto_renew=True,
        ).exclude(Exists(MembershipTerm.objects.filter(  # joined for a later year some other way
            member=OuterRef("member"), membership_year__gt=OuterRef("membership_year"), cancelled_at__isnull=True,
        ))).select_related("member", "category", "plan"),
        required_by=today - timedelta(days=grace),
    ).order_by("pk")
    counts = Counter(renewed=0, not_renewed=0, errors=0)
    for term in candidates:
        if not dues.is_renewal_window_open(term.end, window, grace, today):
            continue
        status = term_status(term, today=today, grace_days=grace)
        if status not in GOOD_STANDING:
            counts["not_renewed"] += 1  # behind on this year's drafts: staff or the member sort it out first
            continue
        try:
            auto_renewal_start(term=term, today=today)
        except MembershipError as exc:
            log.warning("term %s not renewed automatically: %s", term.pk, exc)
            counts["not_renewed"] += 1
        except Exception:  # one bad row must not stop the night's run; the error is logged and counted
            log.exception("automatic renewal of term %s failed", term.pk)
            counts["errors"] += 1
        else:
            counts["renewed"] += 1
    return dict(counts)


# --- Installment drafts ------------------------------------------------------------------------------------------


def installment_draft_charge(*, payment_pk) -> str:
    """Charge one scheduled draft from the plan's saved bank account, once.

    The payment moves SCHEDULED -> PENDING in its own committed transaction (row locked, so a second
    run at the same time skips it) before the gateway is called. The sandbox answers at once with an
    event, which goes through the same signature check and handler as a webhook; Stripe's answer
    arrives later by webhook. Returns what happened: "skipped", "submitted", "succeeded", "failed"..."""
    with transaction.atomic():
        payment = (Payment.objects.select_for_update(of=("self",), skip_locked=True).select_related("term__plan")
                   .filter(pk=payment_pk, status=Payment.Status.SCHEDULED).first())
        if payment is None:
            return "skipped"
        plan = payment.term.plan
        money = term_money(payment.term)
        if money.balance - money.pending <= 0:  # paid meanwhile another way (a check, a credit): nothing to draft
            payment_cancel(payment=payment, reason="Not drafted: the dues were paid another way.")
            return "cancelled"
        if not money.fits(payment.amount):  # a draft never takes more than is left to pay
            payment.amount = money.balance - money.pending
        payment.status, payment.submitted_at = Payment.Status.PENDING, timezone.now()
        payment.save(update_fields=["status", "submitted_at", "amount"])
        audit_record(actor=None, action="payment.draft_submitted", obj=payment,
                     changes={"amount": str(payment.amount), "due_on": payment.due_on.isoformat()})
    gateway = get_gateway(plan.gateway)
    try:
        event = gateway.charge_saved_method(payment=payment, plan=plan)
    except Exception as exc:  # the gateway refused or could not be reached: the member pays by card instead
        log.exception("draft %s could not be submitted", payment.pk)
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            payment_failed(payment=payment, message=f"The draft could not be sent to the bank ({type(exc).__name__}).")
        return "failed"
    if event is None:
        return "submitted"
    body = json.dumps(event).encode()
    outcome = gateway.parse_webhook(body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})
    return gateway_event_handle(gateway=gateway.name, outcome=outcome)


def installment_drafts_run(*, today: date) -> dict:
    """Charge every scheduled draft due by today on an active installment plan of a live term
    (including the first draft of an automatic renewal). Missed days catch up."""
    due = list(
        Payment.objects.filter(
            status=Payment.Status.SCHEDULED, due_on__lte=today, method=Payment.Method.BANK_DRAFT,
            term__cancelled_at__isnull=True, term__plan__status=PaymentPlan.Status.ACTIVE,
            term__plan__kind__in=INSTALLMENT_KINDS,
        ).order_by("due_on", "pk").values_list("pk", flat=True)
    )
    counts = Counter(succeeded=0, failed=0, submitted=0, cancelled=0, errors=0)
    for pk in due:
        try:
            counts[installment_draft_charge(payment_pk=pk)] += 1
        except Exception:
            log.exception("draft %s: charging failed", pk)
            counts["errors"] += 1
    return dict(counts)


def draft_reconcile(*, payment_pk) -> str:
    """Ask the gateway again about one draft sent but never answered (the process died during the call, or the
    event was lost), by its idempotency key. Its answer goes through the same handler as a webhook; no answer
    flags the draft for staff ("needs attention"). Returns what happened."""
    with transaction.atomic():
        payment = (Payment.objects.select_for_update(of=("self",), skip_locked=True).select_related("term__plan")
                   .filter(pk=payment_pk, status=Payment.Status.PENDING).first())
        if payment is None:
            return "skipped"
        audit_record(actor=None, action="payment.reconciled", obj=payment, changes={"sent": payment.submitted_at.isoformat()})
    gateway = get_gateway(payment.gateway or payment.term.plan.gateway)
    outcome = gateway.reconcile(payment=payment)
    if outcome is not None and outcome.succeeded is not None:
        return gateway_event_handle(gateway=gateway.name, outcome=outcome)
    if outcome is not None:  # the gateway has it and is still working on it (ACH takes days)
        gateway_event_handle(gateway=gateway.name, outcome=outcome)
        return "processing"
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == Payment.Status.PENDING and not payment.attention:
            payment_flag(payment=payment, reason=(
                f"Draft sent to {gateway.name} on {timezone.localtime(payment.submitted_at):%B %-d, %Y} and never answered; "
                "the gateway has no record of it. Check with the gateway before charging the member again."))
    return "needs attention"


def drafts_reconcile_run(*, today: date) -> dict:
    """Reconcile every draft still pending DRAFT_PENDING_RECONCILE_HOURS after it was sent and not flagged yet."""
    cutoff = timezone.now() - timedelta(hours=settings.DRAFT_PENDING_RECONCILE_HOURS)
    stale = list(Payment.objects.filter(status=Payment.Status.PENDING, submitted_at__lt=cutoff, attention="")
                 .order_by("submitted_at", "pk").values_list("pk", flat=True))
    counts = Counter(succeeded=0, failed=0, processing=0, errors=0)
    counts["needs attention"] = 0
    for pk in stale:
        try:
            counts[draft_reconcile(payment_pk=pk)] += 1
        except Exception:  # one bad row must not stop the night's run; logged, counted, tried again tomorrow
            log.exception("draft %s: reconciling failed", pk)
            counts["errors"] += 1
    return dict(counts)


# --- Renewal notices --------------------------------------------------------------------------------------------


def _next_year_dues(category, start: date, cache: dict):
    key = (category.pk, start)
    if key not in cache:
        try:
            cache[key] = rate_on(category, start).total
        except MembershipError:
            cache[key] = None
    return cache[key]


def _notice_context(*, term: MembershipTerm, rule: RenewalNoticeRule, policy: RenewalPolicy, next_amount,
                    auto_renews: bool) -> dict:
    next_start = term.end + ONE_DAY
    return {
        "member": term.member, "term": term, "rule": rule, "plan": term.plan,
        "auto_renews": auto_renews and rule.stage != "after",
        "next_start": next_start, "next_year_label": dues.year_label(dues.membership_year_for(next_start)),
        "next_amount": next_amount, "renew_by": term.end + timedelta(days=policy.grace_period_days),
    }


def _notice_key(term: MembershipTerm, rule: RenewalNoticeRule) -> str:
    return f"renewal-notice:{term.pk}:{rule.pk}"


NOTICE_BATCH = 1000  # notices rendered and written per transaction
# What the run and the notices read of a term and what it hangs off (a run loads tens of thousands: loading
# whole rows, timestamps and all, cost more than rendering). A notice template that shows another field
# must add it here, or each message reads it with a query of its own (the query-count test says so).
NOTICE_TERM_FIELDS = (
    "id", "member_id", "category_id", "plan_id", "membership_year", "period", "continues_id", "amount_due",
    "cancelled_at", "member__id", "member__user_id", "member__email", "member__preferred_name",
    "member__legal_first_name", "member__legal_last_name", "member__user__id", "member__user__email",
    "category__id", "category__name", "plan__id", "plan__kind", "plan__status", "plan__auto_renew",
    "plan__payment_method_label",
)


@transaction.atomic
def _renewal_notices_send_batch(batch: list, *, today: date, policy: RenewalPolicy, renderers: dict) -> Counter:
    """Send a batch of notices, each (rule, term, to, next_amount, auto_renews), in one transaction: their
    email rows in one insert, their RenewalNotice rows in another, both ignoring the rows a concurrent run
    wrote first (keyed on the email's idempotency key and on term and rule), so none goes out twice.
    The emails are handed to the workers after the commit; "sent" counts the emails this batch wrote."""
    already = set(RenewalNotice.objects.filter(
        term_id__in={term.pk for _, term, *_ in batch}, rule_id__in={rule.pk for rule, *_ in batch},
    ).values_list("term_id", "rule_id"))
    batch = [item for item in batch if (item[1].pk, item[0].pk) not in already]
    emails = []
    for rule, term, to, next_amount, auto_renews in batch:
        template = f"renewal-notice-{rule.stage}"
        if template not in renderers:
            renderers[template] = email_renderer(template)
        subject, text, html = renderers[template](_notice_context(
            term=term, rule=rule, policy=policy, next_amount=next_amount, auto_renews=auto_renews))
        emails.append({"idempotency_key": _notice_key(term, rule), "template_name": template, "to": to,
                       "subject": subject, "text": text, "html": html})
    deliveries, new = queue_rendered_emails(emails)
    RenewalNotice.objects.bulk_create([
        RenewalNotice(term=term, rule=rule, sent_on=today, email_id=deliveries[_notice_key(term, rule)])
        for rule, term, *_ in batch
    ], ignore_conflicts=True)
    sent = [rule for rule, term, *_ in batch if _notice_key(term, rule) in new]
    counts = Counter(sent=len(sent))
    counts.update(rule.stage for rule in sent)
    return counts


def renewal_notices_run(*, today: date) -> dict:
    """See _renewal_notices_run; its batches' statements are planned each time (mae_portal.db_cursor.unprepared)."""
    with unprepared():
        return _renewal_notices_run(today=today)


def _renewal_notices_run(*, today: date) -> dict:
    """Send each active rule's notice to every member whose notice day (term end + offset) fell in the
    last week, who was paid for that term and has not paid for a later one, once per term and rule.

    A rule for a category applies to that category; a rule for every category applies to the others,
    and to that category too unless it has its own rule with the same offset (which replaces it).

    Queries: one per rule for the terms due its notice (with the member, user, category and plan the
    messages show), then one for their money and one for the later years their members paid for; then a
    few per batch of NOTICE_BATCH notices (rendered with templates compiled once, written in bulk)."""
    policy = RenewalPolicy.current()
    grace = policy.grace_period_days
    rules = list(RenewalNoticeRule.objects.filter(is_active=True).order_by("offset_days", "pk"))
    own_offsets = {(r.category_id, r.offset_days) for r in rules if r.category_id}
    due = []
    for rule in rules:
        last_end = today - timedelta(days=rule.offset_days)
        terms = (MembershipTerm.objects
                 .filter(_ending_between(last_end - timedelta(days=NOTICE_CATCH_UP_DAYS), last_end),
                         cancelled_at__isnull=True)
                 .exclude(Exists(RenewalNotice.objects.filter(term=OuterRef("pk"), rule=rule)))
                 .select_related("member__user", "category", "plan").only(*NOTICE_TERM_FIELDS).order_by("pk"))
        if rule.category_id:
            terms = terms.filter(category_id=rule.category_id)
        else:
            terms = terms.exclude(category_id__in=[c for c, offset in own_offsets if offset == rule.offset_days])
        due += [(rule, term) for term in terms]
    counts = Counter(sent=0, no_address=0)
    if not due:
        return dict(counts)
    money = {row["pk"]: row for row in terms_with_money(
        MembershipTerm.objects.filter(pk__in={term.pk for _, term in due}), required_by=today - timedelta(days=grace),
    ).annotate(paid_for=Exists(Payment.objects.filter(term=OuterRef("pk"), status=Payment.Status.SUCCEEDED)))
        .values("pk", "paid", "required_now", "paid_for")}
    latest_paid_year: dict[int, int] = {}
    for member_id, year in (MembershipTerm.objects
                            .filter(member_id__in={term.member_id for _, term in due}, cancelled_at__isnull=True,
                                    payments__status=Payment.Status.SUCCEEDED)
                            .values_list("member_id", "membership_year").distinct()):
        latest_paid_year[member_id] = max(year, latest_paid_year.get(member_id, year))
    rates: dict = {}
    to_send = []
    for rule, term in due:
        row = money[term.pk]
        if not row["paid_for"] or latest_paid_year.get(term.member_id, term.membership_year) > term.membership_year:
            continue  # never a member that year, or already renewed
        to = member_email(term.member)
        if not to:
            counts["no_address"] += 1  # staff see these members on their pages; nothing to send to
            continue
        term.paid, term.required_now = row["paid"], row["required_now"]
        # Only a member in good standing is renewed automatically (see auto_renewals_run).
        standing = term_status(term, today=today, grace_days=grace) in GOOD_STANDING
        amount = _next_year_dues(term.category, term.end + ONE_DAY, rates)
        to_send.append((rule, term, to, amount, standing and _renews_automatically(term.plan)))
    renderers: dict = {}
    for first in range(0, len(to_send), NOTICE_BATCH):
        batch = to_send[first:first + NOTICE_BATCH]
        counts.update(_renewal_notices_send_batch(batch, today=today, policy=policy, renderers=renderers))
        log.info("renewal notices: %s of %s sent", min(first + NOTICE_BATCH, len(to_send)), len(to_send))
    return dict(counts)


# --- Lapse notices -------------------------------------------------------------------------------------------------


def lapse_notices_run(*, today: date) -> dict:
    """See _lapse_notices_run; its batches' statements are planned each time (mae_portal.db_cursor.unprepared)."""
    with unprepared():
        return _lapse_notices_run(today=today)


def _lapse_notices_run(*, today: date) -> dict:
    """Tell each member whose current term has LAPSED today (see dues.term_status), once per term.

    Only terms of people who were members count: a renewal, or a term with a payment on it (a
    join abandoned at the checkout is not a lapse)."""
    grace = RenewalPolicy.current().grace_period_days
    told = Exists(EmailDelivery.objects.filter(
        idempotency_key=Concat(Value("lapsed:"), Cast(OuterRef("pk"), output_field=CharField()))))
    paid_for = Exists(Payment.objects.filter(term=OuterRef("pk"), status=Payment.Status.SUCCEEDED))
    terms = terms_with_money(
        MembershipTerm.objects.filter(
            Q(continues__isnull=False) | paid_for, cancelled_at__isnull=True, period__contains=today,
            period__startswith__lt=today - timedelta(days=grace),
        ).exclude(told).select_related("member__user", "category"),
        required_by=today - timedelta(days=grace),
    ).order_by("pk")
    counts = Counter(sent=0)
    for term in terms:
        if term_status(term, today=today, grace_days=grace) != dues.TermStatus.LAPSED:
            continue
        to = member_email(term.member)
        if not to:
            log.warning("lapse notice for term %s not sent: member %s has no email address", term.pk, term.member_id)
            continue
        send_email("membership-lapsed", to=to,
                   context={"member": term.member, "term": term, "renewal": term.continues_id is not None,
                            "paid": term.paid > 0},
                   idempotency_key=f"lapsed:{term.pk}")
        log.info("lapse notice sent for term %s", term.pk)
        counts["sent"] += 1
    return dict(counts)


# --- The nightly run ----------------------------------------------------------------------------------------------------

JOBS = [
    ("auto_renewals", auto_renewals_run),
    ("reconcile_drafts", drafts_reconcile_run),  # before the night's drafts: yesterday's unanswered ones first
    ("drafts", installment_drafts_run),
    ("renewal_notices", renewal_notices_run),
    ("lapse_notices", lapse_notices_run),
    ("statuses", member_standing_refresh_run),  # last: after the night's payments
]


class MembershipJobsFailed(Exception):
    """A job of the nightly run stopped with an error (the others still ran)."""


def membership_jobs_run(*, today: date) -> dict:
    """Run the jobs in order and return their counts, e.g.
    {"auto_renewals": {"renewed": 2, ...}, "drafts": {"succeeded": 40, "failed": 1, ...}, ...}.
    A job that fails does not stop the next; the run then raises so the failure is seen."""
    results, failed = {}, []
    for name, job in JOBS:
        try:
            results[name] = job(today=today)
        except Exception:
            log.exception("membership job %s failed for %s", name, today)
            results[name], failed = {"failed": 1}, [*failed, name]
    log.info("membership jobs for %s: %s", today.isoformat(), results)
    if failed:
        raise MembershipJobsFailed(f"{', '.join(failed)} failed for {today}: {results}")
    return results
