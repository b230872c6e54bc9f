"""The membership core: quotes, joining, gateway events, staff payments, statuses."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.dues import TermStatus
from members.models import GatewayEvent, MembershipCategory, MembershipTerm, Payment, PaymentPlan
from members.selectors.terms import member_terms, term_covering
from members.services.errors import MembershipError
from members.services.gateways.base import InvalidWebhook
from members.services.gateways.sandbox import SandboxGateway
from members.services.join import membership_join
from members.services.payments import gateway_event_handle, payment_record, payment_refund, payment_retry
from members.services.quotes import membership_quote
from members.services.terms import term_cancel, term_change_category

JOIN_DAY = date(2026, 10, 15)


@pytest.fixture
def esp_full_time(world):
    return MembershipCategory.objects.get(code="esp-full-time")


def signed_event(gateway, event):
    body = json.dumps(event).encode()
    return gateway.parse_webhook(body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})


def pay(payment, card="4242424242424242"):
    gateway = SandboxGateway()
    ok, message, label = gateway.outcome_for_card(card)
    event = gateway.build_event(payment_key=payment.idempotency_key, succeeded=ok, message=message,
                                method_label=label, method_token="sbx_card", amount=payment.amount)
    return event, gateway_event_handle(gateway="sandbox", outcome=signed_event(gateway, event))


def test_quote_prorates_mid_year_and_shares_add_up(esp_full_time):
    quote = membership_quote(category=esp_full_time, today=JOIN_DAY)
    assert quote.membership_year == 2026 and quote.start == JOIN_DAY and quote.end == date(2027, 8, 31)
    assert quote.full_year.total == Decimal("334.00")
    assert quote.amount == Decimal("306.17")  # 11 of 12 months
    assert quote.shares.local + quote.shares.state + quote.shares.national == quote.amount


def test_join_annual_double_submit_then_card_success(member, esp_full_time, django_capture_on_commit_callbacks):
    record = member.member
    for _ in range(2):
        payment = membership_join(member=record, category=esp_full_time, plan_kind="annual",
                                           authorization=None, actor=member, today=JOIN_DAY, idempotency_key="form-1")
    assert MembershipTerm.objects.count() == 1 and Payment.objects.count() == 1
    term = payment.term
    assert member_terms(record, today=JOIN_DAY)[0].status == TermStatus.PENDING
    with django_capture_on_commit_callbacks(execute=False):
        event, result = pay(payment)
    assert result == "succeeded"
    body = json.dumps(event).encode()
    gateway = SandboxGateway()
    assert gateway_event_handle(gateway="sandbox", outcome=gateway.parse_webhook(
        body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})) == "replay"
    assert GatewayEvent.objects.count() == 1
    assert member_terms(record, today=JOIN_DAY)[0].status == TermStatus.ACTIVE
    assert term_covering(record, date(2027, 3, 1)).pk == term.pk
    assert term_covering(record, date(2026, 10, 1)) is None


def test_declined_card_leaves_pending_then_late_failure_cannot_undo_success(member, esp_full_time,
                                                                              django_capture_on_commit_callbacks):
    record = member.member
    payment = membership_join(member=record, category=esp_full_time, plan_kind="annual",
                                       authorization=None, actor=member, today=JOIN_DAY, idempotency_key="form-2")
    with django_capture_on_commit_callbacks(execute=False):
        _, result = pay(payment, card="4000000000000002")
    payment.refresh_from_db()
    assert result == "failed" and payment.status == "failed" and "declined" in payment.failure_message
    assert member_terms(record, today=JOIN_DAY)[0].status == TermStatus.PENDING
    retry = payment_retry(payment=payment, idempotency_key="retry-1")
    with django_capture_on_commit_callbacks(execute=False):
        pay(retry)
        pay(retry, card="4000000000000002")  # a failure arriving after the success changes nothing
    retry.refresh_from_db()
    assert retry.status == "succeeded"
    assert member_terms(record, today=JOIN_DAY)[0].status == TermStatus.ACTIVE


def test_bad_signature_and_stale_events_are_refused(db):
    gateway = SandboxGateway()
    body = b'{"id": "evt_1", "type": "payment.succeeded", "payment": "x"}'
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(body=body, meta={gateway.SIGNATURE_HEADER: "t=1,v1=deadbeef"})
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body, timestamp=1)})
    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook(body=body + b" ", meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})


def test_installment_plan_schedule_and_good_standing(member, esp_full_time, django_capture_on_commit_callbacks):
    record = member.member
    signature = {"typed_name": "Tamika Shelton", "text": "I authorize...", "ip": "127.0.0.1",
                 "user_agent": "test", "signed_at": timezone.now()}
    with django_capture_on_commit_callbacks(execute=False):
        payment = membership_join(member=record, category=esp_full_time, plan_kind="monthly", draft_day=15,
                                           authorization=signature, actor=member, today=JOIN_DAY, idempotency_key="form-3")
    term = payment.term
    schedule = list(term.payments.order_by("installment_number").values_list("due_on", "amount", "status"))
    assert schedule[0] == (JOIN_DAY, schedule[0][1], "pending")
    assert [d for d, _, _ in schedule[1:]][:2] == [date(2026, 11, 15), date(2026, 12, 15)]
    assert schedule[-1][0] == date(2027, 7, 15)
    assert sum(a for _, a, _ in schedule) == term.amount_due
    with django_capture_on_commit_callbacks(execute=False):
        pay(payment)
    assert member_terms(record, today=date(2026, 11, 1))[0].status == TermStatus.ACTIVE
    # November 15's draft never paid: in good standing for the grace period after it, then lapsed.
    assert member_terms(record, today=date(2026, 12, 14))[0].status == TermStatus.ACTIVE
    assert member_terms(record, today=date(2026, 12, 16))[0].status == TermStatus.LAPSED
    assert PaymentPlan.objects.get().authorization.typed_name == "Tamika Shelton"


def test_terms_never_overlap_in_the_database(member, esp_full_time):
    record = member.member
    membership_join(member=record, category=esp_full_time, plan_kind="annual", authorization=None,
                             actor=member, today=JOIN_DAY, idempotency_key="form-4")
    with pytest.raises(MembershipError, match="already have a membership"):
        membership_join(member=record, category=esp_full_time, plan_kind="annual", authorization=None,
                                 actor=member, today=JOIN_DAY, idempotency_key="form-5")
    term = MembershipTerm.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipTerm.objects.create(member=record, category=esp_full_time, membership_year=2026,
                                      period=(date(2027, 1, 1), date(2027, 2, 1)), local_share=1, state_share=1,
                                      national_share=1, amount_due=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipTerm.objects.filter(pk=term.pk).update(amount_due=Decimal("1.00"))  # shares must add up


def test_staff_check_payment_refund_and_category_change(member, staff, esp_full_time, django_capture_on_commit_callbacks):
    record = member.member
    payment = membership_join(member=record, category=esp_full_time, plan_kind="annual", authorization=None,
                                       actor=member, today=JOIN_DAY, idempotency_key="form-6")
    term = payment.term
    with pytest.raises(MembershipError, match="check number"):
        payment_record(term=term, amount=Decimal("306.17"), method="check", actor=staff, idempotency_key="s-0")
    with django_capture_on_commit_callbacks(execute=False):
        check = payment_record(term=term, amount=Decimal("306.17"), method="check", check_number="1042",
                                        actor=staff, idempotency_key="s-1")
        payment_record(term=term, amount=Decimal("306.17"), method="check", check_number="1042",
                                actor=staff, idempotency_key="s-1")
    assert term.payments.filter(method="check").count() == 1
    with pytest.raises(MembershipError):
        payment_refund(payment=check, amount=Decimal("400"), reason="x", actor=staff, idempotency_key="r-0")
    payment_refund(payment=check, amount=Decimal("100"), reason="Overpaid", actor=staff, idempotency_key="r-1")
    terms = member_terms(record, today=JOIN_DAY)
    assert terms[0].paid == Decimal("206.17")
    part_time = MembershipCategory.objects.get(code="esp-part-time")
    term = term_change_category(term=term, category=part_time, actor=staff)
    assert term.amount_due == Decimal("154.00")  # 168 x 11/12


def test_a_later_event_can_still_save_the_payment_method(member, esp_full_time, django_capture_on_commit_callbacks):
    """Stripe: checkout.session.completed (paid, no payment method), then payment_intent.succeeded (with it)."""
    from members.services.gateways.base import GatewayOutcome

    record = member.member
    payment = membership_join(member=record, category=esp_full_time, plan_kind="annual", authorization=None,
                                       actor=member, today=JOIN_DAY, idempotency_key="form-7")
    with django_capture_on_commit_callbacks(execute=False):
        gateway_event_handle(gateway="stripe", outcome=GatewayOutcome(
            event_id="evt_a", event_type="checkout.session.completed", payment_key=payment.idempotency_key,
            succeeded=True, reference="pi_1", amount=payment.amount, currency="usd"))
        gateway_event_handle(gateway="stripe", outcome=GatewayOutcome(
            event_id="evt_b", event_type="payment_intent.succeeded", payment_key=payment.idempotency_key,
            succeeded=True, reference="pi_1", customer="cus_1", payment_method="pm_1", payment_method_label="Card",
            amount=payment.amount, currency="usd"))
    plan = PaymentPlan.objects.get(member=record)
    assert (plan.gateway_customer, plan.gateway_payment_method) == ("cus_1", "pm_1")
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_member_on_date_prefers_the_live_term_over_a_cancelled_one(member, staff, esp_full_time,
                                                                      django_capture_on_commit_callbacks):
    record = member.member
    first = membership_join(member=record, category=esp_full_time, plan_kind="annual", authorization=None,
                                     actor=member, today=JOIN_DAY, idempotency_key="form-8")
    term_cancel(term=first.term, reason="Entered twice", actor=staff)
    again = membership_join(member=record, category=esp_full_time, plan_kind="annual", authorization=None,
                                     actor=member, today=JOIN_DAY, idempotency_key="form-9")
    with django_capture_on_commit_callbacks(execute=False):
        pay(again)
    covering = term_covering(record, date(2027, 1, 4))
    assert covering.pk == again.term.pk and covering.status == TermStatus.ACTIVE
