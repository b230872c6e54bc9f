"""Another plan after the member stopped their drafts (issue 7): the dashboard's "left to pay" box offers "choose
another plan", a page where the member starts bank drafts again for the balance (signing a new authorization) or
pays it by card, refused cleanly when nothing is left or the term was cancelled, and once per form sent."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from mae_portal.models import AuditLog
from members import clock
from members.models import DraftAuthorization, MembershipCategory, MembershipTerm, Payment, PaymentPlan
from members.selectors.terms import term_money
from members.services import followups
from members.services.errors import MembershipError
from members.services.payments import payment_record
from members.services.plans import plan_drafts_restart
from members.services.terms import term_cancel
from tests.members.test_membership_views import BANK, JOIN_DAY, field_error, join, pay

SIGNATURE = {"typed_name": "Tamika Shelton", "text": "I authorize...", "ip": "127.0.0.1", "user_agent": "pytest",
             "signed_at": timezone.now()}


@pytest.fixture(autouse=True)
def no_pdfs(monkeypatch):
    """Receipts, cards and authorization copies are another test's business: here they are not even queued."""
    monkeypatch.setattr(followups, "enqueue_document", lambda kind, pk: None)
    monkeypatch.setattr(followups, "after_payment", lambda payment_pk, first: None)


@pytest.fixture
def esp_full_time(world):
    return MembershipCategory.objects.get(code="esp-full-time")


@pytest.fixture
def stopped(client, member, esp_full_time, monkeypatch):
    """A member on monthly drafts who paid the first at checkout, then stopped the drafts (the pages believe today
    is JOIN_DAY): their term."""
    monkeypatch.setattr(clock, "today", lambda: JOIN_DAY)
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    assert client.post("/members/plan/drafts/stop/")["Location"] == "/dashboard/"
    term = MembershipTerm.objects.get(pk=payment.term_id)
    assert term.plan.status == PaymentPlan.Status.CANCELLED
    return term


def _choose_url(term):
    return f"/members/plan/terms/{term.pk}/choose/"


def _hidden(page, name):
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def _nothing_new_stored(authorizations):
    assert DraftAuthorization.objects.count() == authorizations
    assert not PaymentPlan.objects.filter(status="active").exists()
    assert not Payment.objects.filter(status__in=["pending", "scheduled"]).exists()


def test_the_left_to_pay_box_offers_another_plan_and_drafts_start_again(client, member, stopped):
    balance = term_money(stopped).balance
    assert balance == Decimal("275.49")
    dashboard = client.get("/dashboard/").content.decode()
    assert f"Pay the remaining ${balance}" in dashboard
    assert f'href="{_choose_url(stopped)}">choose another plan</a>' in dashboard

    page = client.get(_choose_url(stopped)).content.decode()
    assert f"${balance} is left to pay for 2026-27" in page and f"Pay the remaining ${balance}" in page
    assert 'name="plan_kind"' in page
    response = client.post(_choose_url(stopped), {"plan_kind": "monthly", "draft_day": "10",
                                                  "token": _hidden(page, "token")})
    authorize = f"{_choose_url(stopped)}authorize/?plan=monthly&draft_day=10"
    assert response["Location"] == authorize
    page = client.get(authorize).content.decode()
    assert "the unpaid balance of my ESP full-time membership dues" in page and f"${balance} in all" in page
    assert "on day 10 of each month" in page
    signed = {"agree": "on", "typed_name": "Tamika Shelton", "token": _hidden(page, "token"),
              "digest": _hidden(page, "digest")}
    wrong = client.post(authorize, {**signed, "typed_name": "T Shelton"})
    assert field_error(wrong, "typed_name")
    _nothing_new_stored(authorizations=1)

    first, again = client.post(authorize, signed), client.post(authorize, signed)
    assert first["Location"].startswith("/members/payments/checkout/sandbox/")
    assert again["Location"] == first["Location"]  # the same signature sent twice: one set of drafts
    assert DraftAuthorization.objects.count() == 2
    pending = Payment.objects.get(status="pending")
    assert pending.method == "bank_draft" and pending.term_id == stopped.pk
    plan = PaymentPlan.objects.get(status="active")
    assert (plan.kind, plan.draft_day, plan.auto_renew) == ("monthly", 10, True)
    assert plan.authorization.typed_name == "Tamika Shelton" and plan.authorization.revoked_at is None
    drafts = Payment.objects.filter(term=stopped, status__in=["pending", "scheduled"])
    assert sum(p.amount for p in drafts) == balance
    # The drafts never made of the stopped plan leave the schedule, so the year is not owed twice.
    assert not Payment.objects.filter(term=stopped, status="cancelled", installment_number__isnull=False).exists()
    entry = AuditLog.objects.get(action="plan.drafts_restarted")
    assert entry.actor == member and entry.changes["balance"] == str(balance)

    client.post(first["Location"], BANK)
    pending.refresh_from_db()
    assert pending.status == "succeeded"
    stopped.refresh_from_db()
    assert stopped.plan == plan
    next_draft = Payment.objects.filter(status="scheduled").order_by("due_on").first()
    assert next_draft.due_on.day == 10
    dashboard = client.get("/dashboard/").content.decode()
    assert "Active member through August 31, 2027" in dashboard
    assert "Monthly bank draft on day 10, Checking ending 6789" in dashboard
    assert f"Next draft</dt><dd>{next_draft.due_on:%B %-d, %Y}: ${next_draft.amount}" in dashboard
    assert "Pay the remaining" not in dashboard and "choose another plan" not in dashboard
    # The choice sent again once drafts run again: the dashboard, as it is now.
    late = client.post(_choose_url(stopped), {"plan_kind": "payday", "token": "late"}, follow=True)
    assert "Your plan has changed already" in late.content.decode()
    assert client.get(_choose_url(stopped)).status_code == 404


def test_the_card_choice_is_the_one_payment_of_the_balance(client, stopped):
    balance = term_money(stopped).balance
    page = client.get(_choose_url(stopped)).content.decode()
    token = re.search(r'pay-remaining/">.*?name="token" value="([^"]+)"', page, re.S).group(1)
    url = f"/members/payments/terms/{stopped.pk}/pay-remaining/"
    first, again = client.post(url, {"token": token}), client.post(url, {"token": token})
    assert first["Location"] == again["Location"]
    card = Payment.objects.get(method="card")
    assert card.amount == balance and card.status == "pending"
    assert not PaymentPlan.objects.filter(status="active").exists()
    response = client.get(_choose_url(stopped), follow=True)  # a payment being processed: nothing else to choose
    assert f"A payment of ${balance} for 2026-27 is being processed already." in response.content.decode()


def test_nothing_left_to_pay_is_refused_with_a_message_and_nothing_stored(client, member, staff, stopped):
    page = client.get(f"{_choose_url(stopped)}authorize/?plan=payday&draft_day=1").content.decode()
    signed = {"agree": "on", "typed_name": "Tamika Shelton", "token": _hidden(page, "token"),
              "digest": _hidden(page, "digest")}
    payment_record(term=stopped, amount=term_money(stopped).balance, method="check", check_number="2041", actor=staff,
                   idempotency_key="rest-by-check")
    for response in (client.get(_choose_url(stopped), follow=True),
                     client.post(f"{_choose_url(stopped)}authorize/?plan=payday&draft_day=1", signed, follow=True)):
        assert response.status_code == 200 and response.redirect_chain[-1][0] == "/dashboard/"
        assert "Your 2026-27 dues are paid in full: there is nothing more to pay." in response.content.decode()
    _nothing_new_stored(authorizations=1)
    with pytest.raises(MembershipError, match="paid in full"):
        plan_drafts_restart(member=member.member, term=stopped, plan_kind="monthly", draft_day=3,
                            authorization=SIGNATURE, actor=member, today=stopped.start, idempotency_key="paid")
    _nothing_new_stored(authorizations=1)


def test_a_cancelled_term_is_refused_with_a_message_and_nothing_stored(client, member, staff, stopped):
    term_cancel(term=stopped, reason="Left the district", actor=staff)
    for response in (client.get(_choose_url(stopped), follow=True),
                     client.post(_choose_url(stopped), {"plan_kind": "monthly", "draft_day": "3", "token": "t"},
                                 follow=True),
                     client.post(f"{_choose_url(stopped)}authorize/?plan=monthly&draft_day=3", {}, follow=True)):
        assert response.status_code == 200 and response.redirect_chain[-1][0] == "/dashboard/"
        assert "This membership was cancelled" in response.content.decode()
    with pytest.raises(MembershipError, match="cancelled"):
        plan_drafts_restart(member=member.member, term=stopped, plan_kind="monthly", draft_day=3,
                            authorization=SIGNATURE, actor=member, today=stopped.start, idempotency_key="gone")
    _nothing_new_stored(authorizations=1)


def test_restarting_drafts_takes_effect_once_and_never_beside_a_running_plan(member, stopped):
    def restart(key):
        return plan_drafts_restart(member=member.member, term=stopped, plan_kind="payday", authorization=SIGNATURE,
                                   actor=member, today=JOIN_DAY, idempotency_key=key)

    first = restart("once")
    assert restart("once") == first and DraftAuthorization.objects.count() == 2
    with pytest.raises(MembershipError, match="pays this membership already"):
        restart("twice")
    assert PaymentPlan.objects.filter(status="active").count() == 1
    assert AuditLog.objects.filter(action="plan.drafts_restarted").count() == 1


def test_a_term_whose_drafts_still_run_has_no_such_page(client, member, esp_full_time, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: JOIN_DAY)
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    assert client.get(_choose_url(payment.term)).status_code == 404
    assert client.get(f"{_choose_url(payment.term)}authorize/?plan=monthly&draft_day=3").status_code == 404
    assert 'href="/members/plan/terms/' not in client.get("/dashboard/").content.decode()


def test_with_another_plan_running_only_the_card_is_offered(client, member, stopped):
    PaymentPlan.objects.create(member=member.member, kind="annual")  # e.g. next year's, chosen when renewing
    page = client.get(_choose_url(stopped)).content.decode()
    assert "You pay by another plan already (once a year by card)" in page and 'name="plan_kind"' not in page
    assert f"Pay the remaining ${term_money(stopped).balance}" in page
    response = client.get(f"{_choose_url(stopped)}authorize/?plan=monthly&draft_day=3", follow=True)
    assert response.redirect_chain[-1][0] == _choose_url(stopped)
    assert "no second one can start" in response.content.decode()
    with pytest.raises(MembershipError, match="payment plan running already"):
        plan_drafts_restart(member=member.member, term=stopped, plan_kind="monthly", draft_day=3,
                            authorization=SIGNATURE, actor=member, today=JOIN_DAY, idempotency_key="second")
    assert DraftAuthorization.objects.count() == 1 and PaymentPlan.objects.filter(status="active").count() == 1
