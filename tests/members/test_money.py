"""Money that adds up (issue 7, items 1-6): one balance per term, no payment beyond it, stopped drafts
cancelled, unanswered drafts reconciled, event amounts checked, staff forms sent twice at once."""

import re
import threading
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.utils import timezone

from members import clock, dues
from members.models import GatewayEvent, MembershipCategory, MembershipTerm, Payment
from members.selectors.terms import term_money
from members.services import followups, nightly
from members.services.errors import MembershipError
from members.services.gateways.base import GatewayOutcome
from members.services.gateways.sandbox import SandboxGateway
from members.services.gateways.stripe import StripeGateway
from members.services.payments import (
    gateway_event_handle,
    payment_adjust,
    payment_balance_start,
    payment_record,
    payment_retry,
)
from members.services.plans import plan_cancel_drafts
from tests.members.test_membership_views import BANK, CARD, JOIN_DAY, deliver, join, pay, sandbox_event

S = "/members/staff"


@pytest.fixture(autouse=True)
def no_pdfs(monkeypatch):
    """Receipts and cards are another test's business: here they are not even queued."""
    monkeypatch.setattr(followups, "enqueue_document", lambda kind, pk: None)
    monkeypatch.setattr(followups, "after_payment", lambda payment_pk, first: None)


@pytest.fixture
def on(monkeypatch):
    """The membership pages believe today is JOIN_DAY."""
    monkeypatch.setattr(clock, "today", lambda: JOIN_DAY)


@pytest.fixture
def esp_full_time(world):
    return MembershipCategory.objects.get(code="esp-full-time")


@pytest.mark.parametrize("amount_due, paid, balance", [
    ("250.50", "0", "250.50"),
    ("250.50", "27.83", "222.67"),
    ("250.50", "250.50", "0"),
    ("250.50", "473.14", "0"),  # an overpayment owes nothing, it does not owe less than nothing
])
def test_term_balance(amount_due, paid, balance):
    assert dues.term_balance(amount_due=Decimal(amount_due), paid=Decimal(paid)) == Decimal(balance)


@pytest.mark.parametrize("amount, balance, in_flight, fits", [
    ("27.83", "222.64", "0", True), ("27.83", "27.83", "0", True), ("27.84", "27.83", "0", False),
    ("27.83", "222.64", "200", False), ("27.83", "0", "0", False),
])
def test_payment_fits(amount, balance, in_flight, fits):
    assert dues.payment_fits(amount=Decimal(amount), balance=Decimal(balance), in_flight=Decimal(in_flight)) is fits


def _drafts_member(client, member, esp_full_time):
    """A member on monthly drafts whose first draft was paid at checkout and whose second was returned."""
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    failed = Payment.objects.filter(status="scheduled").order_by("due_on").first()
    deliver(sandbox_event(failed, succeeded=False, message="The bank returned the draft for insufficient funds."))
    return payment.term, Payment.objects.get(pk=failed.pk)


def test_a_year_paid_by_check_after_stopped_drafts_offers_no_pay_now_and_refuses_a_retry(client, member, staff,
                                                                                         esp_full_time, on):
    """The issue's scenario: drafts stopped, staff record a check for the rest: no Pay-now, a retry is refused."""
    term, failed = _drafts_member(client, member, esp_full_time)
    plan_cancel_drafts(plan=term.plan, actor=member)
    money = term_money(term)
    assert money.balance == Decimal("275.49") and money.paid == Decimal("30.68")  # the first draft, paid
    payment_record(term=term, amount=money.balance, method="check", check_number="10452", actor=staff,
                   idempotency_key="check-rest")
    assert term_money(term).balance == 0
    page = client.get("/dashboard/").content.decode()
    assert not re.search(r"Pay \$[\d.]+ now", page) and "Pay the remaining" not in page
    assert "did not go through" not in page.split("Membership history")[0]
    with pytest.raises(MembershipError, match="paid in full"):
        payment_retry(payment=failed, idempotency_key="retry-after-check")
    response = client.post(f"/members/payments/{failed.pk}/retry/", {"token": "t-retry"}, follow=True)
    assert "paid in full" in response.content.decode()
    assert not Payment.objects.filter(method="card").exists()


def test_a_fully_paid_year_shows_no_pay_now_for_its_failed_drafts(client, member, staff, esp_full_time, on):
    term, failed = _drafts_member(client, member, esp_full_time)
    payment_adjust(term=term, amount=term_money(term).balance, reason="Hardship waiver", actor=staff,
                   idempotency_key="waiver")
    page = client.get("/dashboard/").content.decode()
    assert "Pay $30.61 now" not in page


def test_checkout_of_a_pending_payment_whose_year_was_paid_since_is_refused(client, member, staff, esp_full_time, on):
    payment = join(member, esp_full_time)  # a card payment waiting at checkout
    payment_record(term=payment.term, amount=payment.amount, method="cash", actor=staff, idempotency_key="cash")
    client.force_login(member)
    response = client.post(f"/members/payments/{payment.pk}/checkout/")
    assert response["Location"] == f"/members/payments/{payment.pk}/"
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert "paid in full" in client.get(response["Location"]).content.decode()


def test_stopping_drafts_cancels_them_and_offers_one_payment_of_the_rest(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    remaining = term_money(payment.term).balance
    client.post("/members/plan/drafts/stop/")
    assert not Payment.objects.filter(status="failed").exists()
    assert Payment.objects.filter(status="cancelled").count() == 9
    page = client.get("/dashboard/").content.decode()
    assert f"Pay the remaining ${remaining}" in page and "did not go through" not in page
    assert page.count("Pay the remaining") == 1
    token = re.search(r'pay-remaining/">.*?name="token" value="([^"]+)"', page, re.S).group(1)
    url = f"/members/payments/terms/{payment.term_id}/pay-remaining/"
    first = client.post(url, {"token": token})
    again = client.post(url, {"token": token})
    single = Payment.objects.get(method="card")
    assert single.amount == remaining and single.status == "pending" and first["Location"] == again["Location"]
    client.post(first["Location"], CARD)
    assert term_money(payment.term).balance == 0
    page = client.get("/dashboard/").content.decode()
    assert "Pay the remaining" not in page and not re.search(r"Pay \$[\d.]+ now", page)
    with pytest.raises(MembershipError, match="paid in full"):
        payment_balance_start(term=payment.term, idempotency_key="once-more")


# --- staff check payments (item 2) ------------------------------------------------------------------------------


def _annual_term(member, esp_full_time):
    payment = join(member, esp_full_time)
    return payment.term


def test_the_same_check_twice_is_refused_unless_staff_say_it_is_another(member, staff, esp_full_time, on):
    term = _annual_term(member, esp_full_time)
    payment_record(term=term, amount=Decimal("100.00"), method="check", check_number="10452", actor=staff,
                   idempotency_key="c1")
    with pytest.raises(MembershipError, match="recorded already"):
        payment_record(term=term, amount=Decimal("100.00"), method="check", check_number=" 10452 ", actor=staff,
                       idempotency_key="c2")
    payment_record(term=term, amount=Decimal("100.00"), method="check", check_number="10452", actor=staff,
                   different_check=True, idempotency_key="c3")
    assert Payment.objects.filter(check_number="10452").count() == 2


def test_more_than_the_balance_needs_the_overpayment_choice(member, staff, esp_full_time, on):
    term = _annual_term(member, esp_full_time)
    with pytest.raises(MembershipError, match="more than the"):
        payment_record(term=term, amount=term.amount_due + 1, method="cash", actor=staff, idempotency_key="o1")
    payment_record(term=term, amount=term.amount_due + 1, method="cash", actor=staff, overpayment=True,
                   idempotency_key="o2")
    assert term_money(term).paid == term.amount_due + 1


def test_the_payment_form_shows_the_balance_and_refuses_a_second_check_next_to_the_field(client, staff, member,
                                                                                          esp_full_time, on):
    term = _annual_term(member, esp_full_time)
    number = member.member.member_number
    payment_record(term=term, amount=Decimal("100.00"), method="check", check_number="10452", actor=staff,
                   idempotency_key="c1")
    client.force_login(staff)
    url = f"{S}/members/{number}/terms/{term.pk}/payment/"
    page = client.get(url).content.decode()
    assert f"Left to pay: ${term.amount_due - 100}" in page
    assert "(required for a check)" in page and "Required for a check. Leave it empty for cash." in page
    page = client.post(url, {"method": "check", "amount": "100.00", "check_number": "10452", "token": "f1"}).content.decode()
    assert "Check 10452 was recorded already" in page and "Check, then confirm" not in page
    page = client.post(url, {"method": "cash", "amount": "473.14", "token": "f2"}).content.decode()
    assert "Record an overpayment" in page and "Check, then confirm" not in page
    page = client.post(url, {"method": "check", "amount": "100.00", "check_number": "10452", "different_check": "on",
                             "token": "f3"}).content.decode()
    assert "Check, then confirm" in page


def test_a_credit_above_the_balance_needs_the_explicit_choice_and_a_charge_is_not_limited(member, staff,
                                                                                         esp_full_time, on):
    term = _annual_term(member, esp_full_time)
    payment_record(term=term, amount=Decimal("300.00"), method="cash", actor=staff, idempotency_key="most")
    balance = term_money(term).balance
    assert balance == term.amount_due - 300
    with pytest.raises(MembershipError, match=rf"more than the \${balance} left to pay"):
        payment_adjust(term=term, amount=balance + Decimal("0.01"), reason="Waiver", actor=staff, idempotency_key="a1")
    assert not Payment.objects.filter(method="adjustment").exists()
    payment_adjust(term=term, amount=balance, reason="Waiver", actor=staff, idempotency_key="a2")
    payment_adjust(term=term, amount=Decimal("-500.00"), reason="Returned check fee", actor=staff, idempotency_key="a3")
    payment_adjust(term=term, amount=Decimal("20.00"), reason="Goodwill credit", actor=staff, above_balance=True,
                   idempotency_key="a4")
    assert sorted(Payment.objects.filter(method="adjustment").values_list("amount", flat=True)) == [
        Decimal("-500.00"), balance, Decimal("20.00")]


def test_the_adjustment_form_shows_the_balance_and_refuses_a_credit_above_it_next_to_the_field(client, staff, member,
                                                                                              esp_full_time, on):
    term = _annual_term(member, esp_full_time)
    payment_record(term=term, amount=Decimal("100.00"), method="cash", actor=staff, idempotency_key="part")
    balance = term.amount_due - 100
    client.force_login(staff)
    url = f"{S}/members/{member.member.member_number}/terms/{term.pk}/adjust/"
    page = client.get(url).content.decode()
    assert f"Left to pay: ${balance} (dues ${term.amount_due}, paid $100.00" in page
    assert "Record a credit above the balance" in page
    response = client.post(url, {"kind": "credit", "amount": "500", "reason": "Waiver", "token": "f1"})
    page = response.content.decode()
    assert re.search(rf'id="id_amount-error">A credit of \$500(\.00)? is more than the \${balance} left to pay', page)
    assert "Check, then confirm" not in page
    response = client.post(url, {"kind": "credit", "amount": "500", "reason": "Waiver", "token": "f1", "confirm": "1"})
    assert "Check, then confirm" not in response.content.decode()  # a confirmation sent anyway: refused at the field
    assert not Payment.objects.filter(method="adjustment").exists()
    review = client.post(url, {"kind": "credit", "amount": "500", "above_balance": "on", "reason": "Waiver",
                               "token": "f2"}).content.decode()
    assert "Check, then confirm" in review and f"${500 - balance} above the balance" in review
    charge = client.post(url, {"kind": "charge", "amount": "900", "reason": "Fee", "token": "f3"}).content.decode()
    assert "Check, then confirm" in charge
    done = client.post(url, {"kind": "credit", "amount": "500", "above_balance": "on", "reason": "Waiver",
                             "token": "f2", "confirm": "1"}, follow=True)
    assert "Credit of $500" in done.content.decode()
    assert Payment.objects.get(method="adjustment").amount == Decimal("500")


# --- reconciling drafts that got no answer (item 4) ---------------------------------------------------------------


class ProcessDied(BaseException):
    """What a worker killed during the gateway call looks like to the code after it: nothing runs."""


def _stranded_draft(client, member, esp_full_time, monkeypatch):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    draft = Payment.objects.filter(status="scheduled").order_by("due_on").first()

    def dies(self, **kwargs):
        raise ProcessDied

    with monkeypatch.context() as patch:
        patch.setattr(SandboxGateway, "charge_saved_method", dies)
        with pytest.raises(ProcessDied):
            nightly.installment_drafts_run(today=draft.due_on)
    draft.refresh_from_db()
    assert draft.status == "pending" and draft.submitted_at is not None
    assert nightly.installment_drafts_run(today=draft.due_on)["succeeded"] == 0  # the next run skips it
    return draft


def _age(draft, hours):
    Payment.objects.filter(pk=draft.pk).update(submitted_at=timezone.now() - timedelta(hours=hours))


def test_a_draft_stranded_pending_is_reconciled_with_the_gateway(client, member, esp_full_time, monkeypatch, on,
                                                                settings):
    draft = _stranded_draft(client, member, esp_full_time, monkeypatch)
    settings.DRAFT_PENDING_RECONCILE_HOURS = 24
    _age(draft, 23)
    assert nightly.drafts_reconcile_run(today=draft.due_on)["succeeded"] == 0  # not old enough yet
    _age(draft, 25)
    results = nightly.membership_jobs_run(today=draft.due_on + timedelta(days=1))
    assert results["reconcile_drafts"]["succeeded"] == 1
    draft.refresh_from_db()
    assert draft.status == "succeeded" and not draft.attention
    assert nightly.drafts_reconcile_run(today=draft.due_on)["succeeded"] == 0  # asked once


def test_a_draft_the_gateway_does_not_know_is_shown_to_staff(client, member, staff, esp_full_time, monkeypatch, on):
    draft = _stranded_draft(client, member, esp_full_time, monkeypatch)
    _age(draft, 30)
    monkeypatch.setattr(SandboxGateway, "reconcile", lambda self, payment: None)
    assert nightly.drafts_reconcile_run(today=draft.due_on)["needs attention"] == 1
    draft.refresh_from_db()
    assert draft.status == "pending" and "never answered" in draft.attention
    client.force_login(staff)
    listing = client.get(f"{S}/payments/attention/").content.decode()
    assert "never answered" in listing and f"${draft.amount}" in listing
    assert 'href="/members/staff/payments/attention/"' in client.get("/dashboard/").content.decode()
    record = client.get(f"{S}/members/{member.member.member_number}/").content.decode()
    assert "Needs attention" in record and "never answered" in record
    resolve = f"{S}/members/{member.member.member_number}/payments/{draft.pk}/resolve/"
    client.post(resolve, {"note": "Bank shows nothing: will draft again", "confirm": "1"})
    draft.refresh_from_db()
    assert draft.attention == ""
    assert "Nothing needs attention" in client.get(f"{S}/payments/attention/").content.decode()


def test_stripe_reconcile_finds_the_payment_intent_by_its_key(member, esp_full_time, on, settings, monkeypatch):
    import stripe

    settings.STRIPE_SECRET_KEY = "sk_test_unused"
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    draft = Payment.objects.filter(status="scheduled").order_by("due_on").first()
    asked = []

    def search(**kwargs):
        asked.append(kwargs["query"])
        return SimpleNamespace(data=[{"id": "pi_9", "status": "succeeded", "amount": int(draft.amount * 100),
                                      "currency": "usd", "customer": "cus_1", "payment_method": "pm_1"}])

    monkeypatch.setattr(stripe.PaymentIntent, "search", search)
    outcome = StripeGateway().reconcile(payment=draft)
    assert asked == [f"metadata['payment']:'{draft.idempotency_key}'"]
    assert outcome.succeeded is True and outcome.amount == draft.amount and outcome.currency == "usd"
    assert outcome.payment_key == draft.idempotency_key and outcome.reference == "pi_9"
    monkeypatch.setattr(stripe.PaymentIntent, "search", lambda **kwargs: SimpleNamespace(data=[]))
    assert StripeGateway().reconcile(payment=draft) is None
    processing = {"id": "pi_9", "status": "processing", "amount": 100, "currency": "usd"}
    monkeypatch.setattr(stripe.PaymentIntent, "search", lambda **kwargs: SimpleNamespace(data=[processing]))
    assert StripeGateway().reconcile(payment=draft).succeeded is None
    assert payment.term_id == draft.term_id


# --- webhook amounts (item 5) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount, currency, reason", [
    ("1.00", "usd", "the event is for $1.00"),
    (None, "usd", "states no amount"),
    ("same", "eur", "in EUR"),
])
def test_an_event_whose_amount_or_currency_differs_is_recorded_not_applied(client, member, staff, esp_full_time, on,
                                                                           amount, currency, reason):
    payment = join(member, esp_full_time)
    event = sandbox_event(payment)
    event["amount"] = str(payment.amount) if amount == "same" else amount
    event["currency"] = currency
    assert deliver(event) == "mismatch"
    payment.refresh_from_db()
    assert payment.status == "pending" and reason in payment.attention
    recorded = GatewayEvent.objects.get(event_id=event["id"])
    assert recorded.payment == payment and reason in recorded.mismatch and recorded.currency == currency
    client.force_login(staff)
    record = client.get(f"{S}/members/{member.member.member_number}/").content.decode()
    assert reason in record and f"for the ${payment.amount} payment of {payment.term.year_label}: " in record
    assert reason in client.get(f"{S}/payments/attention/").content.decode()


def test_the_stripe_outcome_carries_amount_and_currency(member, esp_full_time, on, settings):
    import json

    import stripe

    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    settings.STRIPE_SECRET_KEY = "sk_test_unused"
    body = json.dumps({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
        "object": "checkout.session", "id": "cs_1", "payment_status": "paid", "metadata": {"payment": "k"},
        "amount_total": 30617, "currency": "usd"}}})
    header = stripe.WebhookSignature.generate_signature_header(body, "whsec_test")
    outcome = StripeGateway().parse_webhook(body=body.encode(), meta={"HTTP_STRIPE_SIGNATURE": header})
    assert (outcome.amount, outcome.currency) == (Decimal("306.17"), "usd")


def test_an_outcome_of_the_right_amount_is_applied(member, esp_full_time, on):
    payment = join(member, esp_full_time)
    assert gateway_event_handle(gateway="stripe", outcome=GatewayOutcome(
        event_id="evt_ok", event_type="checkout.session.completed", payment_key=payment.idempotency_key,
        succeeded=True, reference="pi_ok", amount=payment.amount, currency="USD")) == "succeeded"


# --- two staff at once (item 6) ---------------------------------------------------------------------------------


def _race(call, runs=2):
    """Run `call` in `runs` threads, each with its own database connection, released together by a barrier."""
    barrier = threading.Barrier(runs)
    results, errors = [None] * runs, []

    def worker(index):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 -- reported to the test below, whatever it is
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["record", "adjust"])
def test_two_staff_sending_the_same_form_at_once_get_the_same_payment(member, staff, esp_full_time, on, service):
    term = _annual_term(member, esp_full_time)
    for attempt in range(6):
        token = f"race-{service}-{attempt}"
        if service == "record":
            def call(token=token):
                return payment_record(term=term, amount=Decimal("5.00"), method="cash", actor=staff, form_token=token)
        else:
            def call(token=token):
                return payment_adjust(term=term, amount=Decimal("5.00"), reason="Waiver", actor=staff, form_token=token)
        results, errors = _race(call)
        assert errors == []
        assert results[0].pk == results[1].pk
        assert Payment.objects.filter(idempotency_key__endswith=token).count() == 1


def _staff_call(service, term, staff, amount, token):
    if service == "record":
        return lambda: payment_record(term=term, amount=amount, method="cash", actor=staff, form_token=token)
    return lambda: payment_adjust(term=term, amount=amount, reason="Waiver", actor=staff, form_token=token)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["record", "adjust"])
def test_a_form_that_waited_for_the_term_finds_the_payment_its_twin_made(member, staff, esp_full_time, on, service):
    """The whole balance, sent twice: the second waits for the term's lock while the first records it, then returns
    the first's payment (not a refusal of a balance now paid)."""
    term = _annual_term(member, esp_full_time)
    balance = term_money(term).balance
    call = _staff_call(service, term, staff, balance, "twin")
    second = {}

    def waits():
        try:
            second["payment"] = call()
        except BaseException as exc:  # noqa: BLE001 -- reported below
            second["error"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        MembershipTerm.objects.select_for_update().get(pk=term.pk)
        thread = threading.Thread(target=waits)
        thread.start()
        thread.join(timeout=1)  # it is now waiting for the lock
        assert thread.is_alive()
        first = call()
    thread.join()
    assert "error" not in second and second["payment"].pk == first.pk
    assert Payment.objects.filter(idempotency_key__endswith="twin").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("service", ["record", "adjust"])
def test_two_forms_for_the_whole_balance_at_once_record_it_once(member, staff, esp_full_time, on, service):
    term = _annual_term(member, esp_full_time)
    balance = term_money(term).balance
    for attempt in range(6):
        calls = iter([_staff_call(service, term, staff, balance, f"{service}-{attempt}-{n}") for n in range(2)])
        results, errors = _race(lambda calls=calls: next(calls)())
        assert len([r for r in results if r is not None]) == 1
        assert len(errors) == 1 and "more than the $0" in str(errors[0])
        assert term_money(term).balance == 0
        Payment.objects.filter(pk__in=[r.pk for r in results if r is not None]).delete()  # the balance again


@pytest.mark.django_db(transaction=True)
def test_two_staff_confirming_the_same_adjustment_at_once_see_the_same_confirmation(member, staff, esp_full_time, on):
    from django.test import Client

    term = _annual_term(member, esp_full_time)
    balance = term_money(term).balance
    url = f"{S}/members/{member.member.member_number}/terms/{term.pk}/adjust/"
    clients = [Client(), Client()]
    for one in clients:
        one.force_login(staff)
    for attempt in range(3):
        data = {"kind": "credit", "amount": str(balance), "reason": "Hardship waiver", "token": f"both-{attempt}",
                "confirm": "1"}
        turn = iter(clients)
        responses, errors = _race(lambda turn=turn, data=data: next(turn).post(url, data))
        assert errors == []
        assert [r.status_code for r in responses] == [302, 302]
        assert responses[0]["Location"] == responses[1]["Location"] == f"{S}/members/{member.member.member_number}/"
        for one in clients:
            assert f"Credit of ${balance} recorded." in one.get(responses[0]["Location"]).content.decode()
        assert Payment.objects.filter(method="adjustment").count() == 1
        Payment.objects.filter(method="adjustment").delete()


def test_the_same_payment_form_sent_again_shows_the_confirmation(client, staff, member, esp_full_time, on):
    term = _annual_term(member, esp_full_time)
    client.force_login(staff)
    url = f"{S}/members/{member.member.member_number}/terms/{term.pk}/payment/"
    data = {"method": "check", "amount": str(term.amount_due), "check_number": "777", "token": "same", "confirm": "1"}
    first = client.post(url, data, follow=True).content.decode()
    again = client.post(url, data, follow=True).content.decode()
    message = f"${term.amount_due} recorded for {term.year_label}."
    assert message in first and message in again
    assert Payment.objects.filter(check_number="777").count() == 1
    adjust = f"{S}/members/{member.member.member_number}/terms/{term.pk}/adjust/"
    data = {"kind": "credit", "amount": "5", "above_balance": "on", "reason": "Waiver", "token": "same-adjust",
            "confirm": "1"}  # the year is paid in full: a credit is above the balance
    assert "Credit of $5" in client.post(adjust, data, follow=True).content.decode()
    assert "Credit of $5" in client.post(adjust, data, follow=True).content.decode()
    assert Payment.objects.filter(method="adjustment").count() == 1

