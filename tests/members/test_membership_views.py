"""Members' membership pages: join in steps, sign a draft authorization, pay in the sandbox checkout,
gateway webhooks (sandbox and Stripe), return pages, the dashboard, plan changes and renewal."""

import json
import re
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
import stripe
from django.utils import timezone

from mae_portal.models import AuditLog, StoredDocument
from members import clock
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
from members.services import followups
from members.services.authorization import authorization_for
from members.services.errors import MembershipError
from members.services.gateways.sandbox import SandboxGateway
from members.services.gateways.stripe import StripeGateway
from members.services.join import member_create_or_update_for_join, membership_join
from members.services.payments import gateway_event_handle, payment_record
from members.services.quotes import membership_quote
from members.views import webhooks
from tests.factories import WorksiteFactory, career_field

JOIN_DAY = date(2026, 10, 15)


@pytest.fixture(autouse=True)
def no_pdfs(monkeypatch):
    """PDFs and emails after a payment are another page's business; here they are only queued."""
    monkeypatch.setattr(followups, "enqueue_document", lambda kind, pk: None)
    monkeypatch.setattr(followups, "after_payment", lambda payment_pk, first: None)


@pytest.fixture
def on(monkeypatch):
    """on(day): the membership pages believe today is `day`."""

    def set_day(day):
        monkeypatch.setattr(clock, "today", lambda: day)
        return day

    set_day(JOIN_DAY)
    return set_day


@pytest.fixture
def sites(world):
    return {
        "depot": WorksiteFactory(district=world.district_a, name="Tupelo Transportation Department"),
        "school": WorksiteFactory(district=world.district_a, name="Tupelo High School"),
        "other": WorksiteFactory(district=world.district_b, name="Greenville High School"),
    }


@pytest.fixture
def esp_full_time(world):
    return MembershipCategory.objects.get(code="esp-full-time")


def profile_data(sites, **overrides):
    data = {
        "legal_first_name": "Dorothy", "legal_middle_name": "Mae", "legal_last_name": "Ladner", "preferred_name": "Dot",
        "mobile_phone": "(662) 555-0142", "address_line1": "12 Magnolia Street", "address_line2": "", "city": "Tupelo",
        "state": "ms", "zip_code": "38801", "employer_district": "tupelo public school district",
        "worksite": sites["depot"].pk, "job_title": "School bus driver",
        "career_field": career_field("transportation-services").pk, "employment_basis": "full_time",
        "hire_date": "2019-08-05",
    }
    data.update(overrides)
    return data


def field_error(response, name):
    """The error shown next to a field (the <p id="id_<name>-error">), or None."""
    match = re.search(rf'id="id_{name}-error">([^<]*)<', response.content.decode())
    return match and match.group(1)


def join(user, category, *, plan="annual", token="t1", draft_day=1, today=JOIN_DAY, renewal_of=None):
    signature = None
    if plan != "annual":
        signature = {"typed_name": user.member.legal_name, "text": "I authorize...", "ip": "127.0.0.1",
                     "user_agent": "pytest", "signed_at": timezone.now()}
    return membership_join(member=user.member, category=category, plan_kind=plan, draft_day=draft_day,
                                    authorization=signature, actor=user, today=today,
                                    idempotency_key=f"join:{user.member.pk}:{token}", renewal_of=renewal_of)


def checkout_url(payment):
    return SandboxGateway().start_checkout(payment=payment, plan=None, success_url=f"/members/payments/{payment.pk}/",
                                           cancel_url=f"/members/payments/{payment.pk}/?cancelled=1")


CARD = {"number": "4242 4242 4242 4242", "expiry": "04/29", "cvc": "123", "name": "Tamika Shelton"}
DECLINED = {**CARD, "number": "4000 0000 0000 0002"}
BANK = {"name": "Tamika Shelton", "routing": "110000000", "account": "000123456789"}


def pay(client, payment, data=CARD):
    return client.post(checkout_url(payment), data)


def sandbox_post(client, event, *, signature=None, timestamp=None):
    gateway = SandboxGateway()
    body = json.dumps(event).encode()
    header = signature or gateway.sign(body, timestamp)
    return client.post("/members/payments/webhooks/sandbox/", body, content_type="application/json",
                       HTTP_X_SANDBOX_SIGNATURE=header)


def deliver(event):
    """Apply a signed sandbox event as the webhook would."""
    gateway = SandboxGateway()
    body = json.dumps(event).encode()
    return gateway_event_handle(gateway="sandbox", outcome=gateway.parse_webhook(
        body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)}))


def sandbox_event(payment, *, succeeded=True, message=""):
    return SandboxGateway().build_event(payment_key=payment.idempotency_key, succeeded=succeeded, message=message,
                                        method_label="Card ending 4242", method_token="sbx_card_4242", amount=payment.amount)


# --- join, step by step --------------------------------------------------------------------------------------------


def test_join_needs_an_account_and_comes_back(client, world):
    response = client.get("/members/join/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/members/join/"
    home = client.get("/").content.decode()
    assert 'href="/members/join/">Join MAE</a>' in home


def test_step_1_creates_the_member_with_the_local_of_the_district(client, outsider, sites, world, on):
    client.force_login(outsider)
    page = client.get("/members/join/").content.decode()
    assert '<datalist id="district-options">' in page and '<option value="Tupelo Public School District">' in page
    assert 'list="district-options"' in page and 'hx-get="/members/join/worksites/"' in page
    response = client.post("/members/join/", profile_data(sites))
    assert response.status_code == 302 and response["Location"] == "/members/join/category/"
    member = Member.objects.get(user=outsider)
    assert member.local == world.local_a and member.employer_district == world.district_a
    assert member.worksite == sites["depot"] and member.mobile_phone == "662-555-0142" and member.state == "MS"
    assert member.email == outsider.email and member.hire_date == date(2019, 8, 5)
    assert AuditLog.objects.filter(action="member.created_for_join", object_id=str(member.pk)).exists()


@pytest.mark.parametrize("overrides, field, message", [
    ({"worksite": "other"}, "worksite", "Select a valid choice"),
    ({"employer_district": "Tupelo Schools"}, "employer_district", "Choose your school district from the list"),
    ({"worksite": ""}, "worksite", "Choose your worksite in Tupelo Public School District"),
    ({"mobile_phone": "555-0142"}, "mobile_phone", "Enter a 10-digit US phone number"),
    ({"legal_last_name": ""}, "legal_last_name", "This field is required"),
    ({"zip_code": "3880"}, "zip_code", "Enter a 5-digit ZIP code"),
    ({"career_field": ""}, "career_field", "This field is required"),
])
def test_step_1_refuses_bad_input_next_to_the_field_and_stores_nothing(client, outsider, sites, on, overrides, field,
                                                                       message):
    client.force_login(outsider)
    if overrides.get("worksite") == "other":
        overrides = {**overrides, "worksite": sites["other"].pk}
    response = client.post("/members/join/", profile_data(sites, **overrides))
    assert response.status_code == 200
    assert message in (field_error(response, field) or "")
    assert 'class="error-summary"' in response.content.decode()
    assert not Member.objects.filter(user=outsider).exists()
    assert not AuditLog.objects.filter(action="member.created_for_join").exists()


def test_the_worksite_of_another_district_is_refused_by_the_service_too(outsider, sites, world):
    data = {"legal_first_name": "A", "legal_last_name": "B", "employer_district": world.district_a,
            "worksite": sites["other"]}
    with pytest.raises(MembershipError):
        member_create_or_update_for_join(user=outsider, data=data, actor=outsider, ip=None)
    assert not Member.objects.filter(user=outsider).exists()


def test_worksites_follow_the_district_typed(client, outsider, sites):
    client.force_login(outsider)
    response = client.get("/members/join/worksites/", {"employer_district": "  tupelo public SCHOOL district "})
    page = response.content.decode()
    assert "Tupelo Transportation Department" in page and "Tupelo High School" in page
    assert "Greenville High School" not in page
    page = client.get("/members/join/worksites/", {"employer_district": "Tup"}).content.decode()
    assert "Choose your school district first" in page and "Tupelo High School" not in page


def test_step_1_prefills_an_existing_member_and_audits_changes(client, member, sites, on):
    client.force_login(member)
    page = client.get("/members/join/").content.decode()
    assert 'value="Tamika"' in page and 'value="Shelton"' in page
    assert 'value="Tupelo Public School District"' in page
    response = client.post("/members/join/", profile_data(sites, legal_first_name="Tamika", legal_middle_name="",
                                                          legal_last_name="Shelton", job_title="Bus monitor"))
    assert response.status_code == 302
    record = Member.objects.get(user=member)
    assert record.job_title == "Bus monitor" and record.worksite == sites["depot"]
    entry = AuditLog.objects.get(action="member.updated_for_join")
    assert entry.changes["job_title"][1] == "Bus monitor"
    assert Member.objects.count() == 1


def test_step_2_suggests_the_category_and_lists_the_others(client, member, on):
    client.force_login(member)
    page = client.get("/members/join/category/").content.decode()
    assert re.search(r'value="esp-full-time" id="[^"]+" checked', page)
    assert "ESP full-time</strong>: $334.00 a year (suggested for you)" in page
    for text in ("Retired", "Aspiring educator", "College students preparing to teach", "Active professional"):
        assert text in page
    response = client.post("/members/join/category/", {"category": "nonsense"})
    assert "Choose one of the categories listed" in field_error(response, "category")
    response = client.post("/members/join/category/", {"category": "retired"})
    assert response["Location"] == "/members/join/plan/?category=retired"


def test_step_2_without_a_member_goes_back_to_step_1(client, outsider, on):
    client.force_login(outsider)
    assert client.get("/members/join/category/")["Location"] == "/members/join/"
    assert client.get("/members/join/plan/?category=retired")["Location"] == "/members/join/"


def test_step_3_shows_the_year_the_three_shares_and_the_proration(client, member, on):
    client.force_login(member)
    page = client.get("/members/join/plan/?category=esp-full-time").content.decode()
    assert "Membership year 2026-27, through August 31, 2027." in page
    assert "Tupelo Association of Educators" in page
    # 11 of 12 months: 190 x 11/12 and 129 x 11/12 rounded down, the local share takes the remainder.
    for amount in ("$13.76", "$174.16", "$118.25", "$306.17"):
        assert amount in page
    assert "instead of the full-year $334.00" in page
    assert "Tupelo Public School District pays: monthly, last business day." in page
    assert "Fri, Oct 30, 2026" in page  # first payday draft after today's
    assert "Mon, Nov 16, 2026" not in page
    assert 'name="token"' in page
    assert client.get("/members/join/plan/?category=nope")["Location"] == "/members/join/category/"


def test_retired_members_pay_once_a_year(client, member, on):
    client.force_login(member)
    page = client.get("/members/join/plan/?category=retired").content.decode()
    assert "Retired dues are paid once a year by card" in page and 'value="monthly"' not in page
    response = client.post("/members/join/plan/?category=retired",
                           {"plan_kind": "monthly", "draft_day": 5, "token": str(uuid.uuid4())})
    assert "Select a valid choice" in field_error(response, "plan_kind")
    assert not MembershipTerm.objects.exists()


def test_annual_double_submit_makes_one_term_and_one_payment(client, member, on):
    client.force_login(member)
    data = {"plan_kind": "annual", "token": str(uuid.uuid4())}
    first = client.post("/members/join/plan/?category=esp-full-time", data)
    second = client.post("/members/join/plan/?category=esp-full-time", data)
    assert first["Location"].startswith("/members/payments/checkout/sandbox/")
    assert second["Location"].startswith("/members/payments/checkout/sandbox/")
    assert MembershipTerm.objects.count() == 1 and Payment.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.amount == Decimal("306.17") and payment.method == "card" and payment.status == "pending"
    # Paid already: the same form again leads to the payment's page, not to a second checkout.
    pay(client, payment)
    assert client.post("/members/join/plan/?category=esp-full-time", data)["Location"] == f"/members/payments/{payment.pk}/"


def test_idempotency_keys_belong_to_one_member(client, member, leader, esp_full_time, on):
    token = str(uuid.uuid4())
    client.force_login(member)
    client.post("/members/join/plan/?category=esp-full-time", {"plan_kind": "annual", "token": token})
    client.force_login(leader)
    response = client.post("/members/join/plan/?category=esp-full-time", {"plan_kind": "annual", "token": token})
    assert response.status_code == 302
    assert MembershipTerm.objects.filter(member=leader.member).count() == 1
    assert Payment.objects.filter(member=leader.member).count() == 1


def test_monthly_drafts_need_the_signed_authorization(client, member, on):
    client.force_login(member)
    response = client.post("/members/join/plan/?category=esp-full-time",
                           {"plan_kind": "monthly", "draft_day": "15", "token": str(uuid.uuid4())})
    assert response["Location"] == "/members/join/authorize/?category=esp-full-time&plan=monthly&draft_day=15"
    url = response["Location"]
    page = client.get(url).content.decode()
    assert not MembershipTerm.objects.exists()
    text = re.search(r'<div id="authorization-text">(.*?)</div>', page, re.S).group(1)
    for expected in ("I, Tamika Shelton", "$306.17 in all", "$13.76 for my local association (Tupelo Association",
                     "$174.16 for MAE", "$118.25 for the National Education Association", "on day 15 of each month",
                     "November 15, 2026: $", "July 15, 2027: $", "revoke this authorization at any time",
                     "Stop bank drafts", "601-354-4463", "37-9-49"):
        assert expected in text, expected
    token, digest = (re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("token", "digest"))

    wrong = client.post(url, {"agree": "on", "typed_name": "Tamika Sheldon", "token": token, "digest": digest})
    assert "Type your legal name exactly as on our records: Tamika Shelton." in field_error(wrong, "typed_name")
    unticked = client.post(url, {"typed_name": "Tamika Shelton", "token": token, "digest": digest})
    assert "Tick the box to agree" in field_error(unticked, "agree")
    assert not MembershipTerm.objects.exists() and not DraftAuthorization.objects.exists()

    signed = {"agree": "on", "typed_name": "  tamika   SHELTON ", "token": token, "digest": digest}
    for _ in range(2):
        response = client.post(url, signed, HTTP_USER_AGENT="Mozilla/5.0 (Android 14)", REMOTE_ADDR="203.0.113.9")
        assert response["Location"].startswith("/members/payments/checkout/sandbox/")
    assert MembershipTerm.objects.count() == 1 and DraftAuthorization.objects.count() == 1
    authorization = DraftAuthorization.objects.get()
    assert authorization.typed_name == "tamika SHELTON"
    assert authorization.ip_address == "203.0.113.9" and authorization.user_agent == "Mozilla/5.0 (Android 14)"
    shown = authorization_for(
        member=Member.objects.get(user=member), category=MembershipCategory.objects.get(code="esp-full-time"),
        year_label="2026-27", start=JOIN_DAY, end=date(2027, 8, 31), total=Decimal("306.17"),
        shares=membership_quote(category=MembershipCategory.objects.get(code="esp-full-time"),
                                         today=JOIN_DAY).shares,
        kind="monthly", draft_day=15, schedule=authorization.plans.get().terms.get().payments.order_by("due_on")
        .values_list("due_on", "amount"), day=JOIN_DAY)
    assert authorization.agreed_text == shown.text
    first = Payment.objects.get(status="pending")
    assert first.method == "bank_draft" and first.due_on == JOIN_DAY
    assert Payment.objects.filter(status="scheduled").count() == 9


def test_a_signature_over_a_text_that_changed_is_refused(client, member, on):
    client.force_login(member)
    url = "/members/join/authorize/?category=esp-full-time&plan=payday&draft_day=1"
    page = client.get(url).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(url, {"agree": "on", "typed_name": "Tamika Shelton", "token": token, "digest": "0" * 64})
    assert "The authorization changed since you opened this page" in response.content.decode()
    assert not MembershipTerm.objects.exists()


def test_authorize_page_refuses_plans_the_category_does_not_allow(client, member, on):
    client.force_login(member)
    assert client.get("/members/join/authorize/?category=retired&plan=monthly")["Location"] == "/members/join/category/"
    assert client.get("/members/join/authorize/?category=esp-full-time&plan=annual")["Location"] == "/members/join/category/"


def test_a_member_with_a_membership_this_year_is_sent_to_the_dashboard(client, member, esp_full_time, on):
    join(member, esp_full_time)
    client.force_login(member)
    for url in ("/members/join/", "/members/join/category/", "/members/join/plan/?category=esp-full-time"):
        response = client.get(url)
        assert response["Location"] == "/dashboard/"


# --- the sandbox checkout ----------------------------------------------------------------------------------------------


def test_sandbox_checkout_pays_by_card_through_the_webhook_path(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    page = client.get(checkout_url(payment)).content.decode()
    assert "$306.17" in page and "4242 4242 4242 4242" in page and "4000 0000 0000 0002" in page
    assert 'autocomplete="cc-number"' in page
    with mock.patch.object(webhooks, "webhook_deliver", wraps=webhooks.webhook_deliver) as deliver:
        response = pay(client, payment)
    assert response["Location"] == f"/members/payments/{payment.pk}/"
    deliver.assert_called_once()
    header = deliver.call_args.kwargs["meta"][SandboxGateway.SIGNATURE_HEADER]
    assert header.startswith("t=") and ",v1=" in header
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.paid_at and GatewayEvent.objects.count() == 1
    assert payment.term.plan.payment_method_label == "Card ending 4242"
    page = client.get(response["Location"]).content.decode()
    assert "You're a member." in page and "Membership year 2026-27, through August 31, 2027" in page
    assert "hx-trigger" not in page
    # A settled payment's checkout leads back to its page.
    assert client.get(checkout_url(payment))["Location"] == f"/members/payments/{payment.pk}/"


def test_bank_checkout_saves_the_account_for_later_drafts(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="payday")
    client.force_login(member)
    page = client.get(checkout_url(payment)).content.decode()
    assert "Routing number" in page and "110000000" in page and "000123456789" in page
    assert "Card number" not in page
    pay(client, payment, BANK)
    plan = PaymentPlan.objects.get()
    assert plan.gateway_payment_method == "sbx_acct_000123456789" and plan.payment_method_label == "Checking ending 6789"
    draft = Payment.objects.filter(status="scheduled").order_by("due_on").first()
    event = SandboxGateway().charge_saved_method(payment=draft, plan=plan)
    assert event["type"] == "payment.succeeded"


def test_declined_card_then_try_again(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    response = pay(client, payment, DECLINED)
    payment.refresh_from_db()
    assert payment.status == "failed" and payment.failure_message == "Your card was declined."
    page = client.get(response["Location"]).content.decode()
    assert "Your payment did not go through" in page and "Your card was declined." in page
    assert "Your 2026-27 membership is waiting for this payment." in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert MembershipTerm.objects.get().payments.filter(status="succeeded").count() == 0
    dashboard = client.get("/dashboard/").content.decode()
    assert "Payment pending" in dashboard and "Your card was declined." in dashboard

    retried = client.post(f"/members/payments/{payment.pk}/retry/", {"token": token})
    again = client.post(f"/members/payments/{payment.pk}/retry/", {"token": token})
    # The same retry both times: the same payment's checkout (the signed link's timestamp may differ by a second).
    def checkout_payment(location):
        return SandboxGateway.read_checkout_token(location.rstrip("/").rsplit("/", 1)[-1])["p"]

    assert checkout_payment(retried["Location"]) == checkout_payment(again["Location"])
    retry = Payment.objects.exclude(pk=payment.pk).get()
    assert retry.status == "pending" and retry.amount == payment.amount
    response = client.post(retried["Location"], CARD)
    assert "You're a member." in client.get(response["Location"]).content.decode()
    # The failed attempt is now settled by the retry.
    assert "This amount was paid afterwards" in client.get(f"/members/payments/{payment.pk}/").content.decode()
    refused = client.post(f"/members/payments/{payment.pk}/retry/", {"token": str(uuid.uuid4())}, follow=True)
    assert "already been paid" in refused.content.decode()


def test_checkout_form_errors_stay_next_to_the_fields(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    response = client.post(checkout_url(payment), {"number": "4242", "expiry": "09/26", "cvc": "12", "name": ""})
    assert "13 to 19 digits" in field_error(response, "number")
    assert "expired" in field_error(response, "expiry")
    assert "3 or 4 digits" in field_error(response, "cvc")
    assert "required" in field_error(response, "name")
    payment.refresh_from_db()
    assert payment.status == "pending" and not GatewayEvent.objects.exists()
    bank_payment = join(member, esp_full_time, plan="monthly", token="t2", today=date(2027, 9, 2))
    response = client.post(checkout_url(bank_payment), {"name": "T", "routing": "12", "account": "12"})
    assert "9-digit routing number" in field_error(response, "routing")
    assert "4 to 17 digits" in field_error(response, "account")


def test_someone_elses_checkout_token_answers_404(client, member, leader, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(leader)
    assert client.get(checkout_url(payment)).status_code == 404
    assert client.post(checkout_url(payment), CARD).status_code == 404
    assert client.get("/members/payments/checkout/sandbox/forged-token/").status_code == 404
    assert client.get(f"/members/payments/{payment.pk}/").status_code == 404
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_sandbox_checkout_is_off_when_the_gateway_is_stripe(client, member, esp_full_time, on, settings):
    payment = join(member, esp_full_time)
    client.force_login(member)
    settings.PAYMENT_GATEWAY = "stripe"
    assert client.get(checkout_url(payment)).status_code == 404
    assert sandbox_post(client, sandbox_event(payment)).status_code == 404


# --- webhooks ---------------------------------------------------------------------------------------------------------


def test_sandbox_webhook_replay_out_of_order_and_bad_signatures(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    success = sandbox_event(payment)
    assert sandbox_post(client, success).status_code == 200
    assert sandbox_post(client, success).content == b"replay"
    assert GatewayEvent.objects.count() == 1
    late_failure = sandbox_event(payment, succeeded=False, message="Your card was declined.")
    assert sandbox_post(client, late_failure).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "succeeded" and GatewayEvent.objects.count() == 2

    other = join(member, MembershipCategory.objects.get(code="retired"), token="t2", today=date(2027, 9, 1))
    forged = sandbox_event(other)
    assert sandbox_post(client, forged, signature="t=1,v1=deadbeef").status_code == 400
    assert sandbox_post(client, forged, timestamp=int(time.time()) - 3600).status_code == 400
    assert client.post("/members/payments/webhooks/sandbox/", b"not json", content_type="application/json",
                       HTTP_X_SANDBOX_SIGNATURE=SandboxGateway().sign(b"not json")).status_code == 400
    other.refresh_from_db()
    assert other.status == "pending" and GatewayEvent.objects.count() == 2
    assert client.get("/members/payments/webhooks/sandbox/").status_code == 405
    assert client.post("/members/payments/webhooks/paypal/", b"{}", content_type="application/json").status_code == 404


def test_webhook_for_an_unknown_payment_is_recorded_and_answered_200(client, db):
    event = SandboxGateway().build_event(payment_key="join:0:nothing:first", succeeded=True, message="",
                                         method_label="", method_token="", amount="1.00")
    response = sandbox_post(client, event)
    assert response.status_code == 200 and response.content == b"unknown payment"


STRIPE_SECRET = "whsec_test_secret"


def stripe_post(client, payload, *, secret=STRIPE_SECRET):
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret)
    return client.post("/members/payments/webhooks/stripe/", body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header)


def stripe_event(kind, obj, event_id=None):
    return {"id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event", "type": kind, "data": {"object": obj}}


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    settings.STRIPE_SECRET_KEY = "sk_test_unused"
    return settings


def test_stripe_checkout_completed_and_paid_marks_the_payment_paid(client, member, esp_full_time, on, stripe_settings):
    payment = join(member, esp_full_time)
    session = {"object": "checkout.session", "id": "cs_test_1", "payment_status": "paid",
               "client_reference_id": payment.idempotency_key, "metadata": {"payment": payment.idempotency_key},
               "payment_intent": "pi_test_1", "customer": "cus_1", "payment_method_types": ["card"],
               "amount_total": int(payment.amount * 100), "currency": "usd"}
    event = stripe_event("checkout.session.completed", session, "evt_paid")
    assert stripe_post(client, event).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.gateway_reference == "pi_test_1"
    assert stripe_post(client, event).content == b"replay"
    unpaid = dict(session, payment_status="unpaid")  # bank debit still processing: recorded, nothing changes
    assert stripe_post(client, stripe_event("checkout.session.completed", unpaid)).content == b"ignored"


def test_stripe_async_payment_failed_and_payment_intent_failed(client, member, esp_full_time, on, stripe_settings):
    payment = join(member, esp_full_time, plan="monthly")
    session = {"object": "checkout.session", "id": "cs_test_2", "payment_status": "unpaid",
               "metadata": {"payment": payment.idempotency_key}, "payment_method_types": ["us_bank_account"],
               "amount_total": int(payment.amount * 100), "currency": "usd"}
    assert stripe_post(client, stripe_event("checkout.session.async_payment_failed", session)).status_code == 200
    payment.refresh_from_db()
    assert payment.status == "failed"

    later = join(member, esp_full_time, token="t2", today=date(2027, 9, 2))
    intent = {"object": "payment_intent", "id": "pi_test_3", "metadata": {"payment": later.idempotency_key},
              "amount": int(later.amount * 100), "currency": "usd", "last_payment_error": {"message": "Your card has insufficient funds."}}
    assert stripe_post(client, stripe_event("payment_intent.payment_failed", intent)).status_code == 200
    later.refresh_from_db()
    assert later.status == "failed" and later.failure_message == "Your card has insufficient funds."


def test_stripe_webhook_with_a_bad_signature_is_refused(client, member, esp_full_time, on, stripe_settings):
    payment = join(member, esp_full_time)
    session = {"object": "checkout.session", "payment_status": "paid", "metadata": {"payment": payment.idempotency_key}}
    response = stripe_post(client, stripe_event("checkout.session.completed", session), secret="whsec_wrong")
    assert response.status_code == 400
    assert client.post("/members/payments/webhooks/stripe/", b"{}", content_type="application/json").status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending" and not GatewayEvent.objects.exists()


def test_stripe_start_checkout_creates_a_session(member, esp_full_time, on, stripe_settings):
    card = join(member, esp_full_time)
    with mock.patch("stripe.checkout.Session.create", return_value=mock.Mock(url="https://checkout.stripe.test/c/1")) as create:
        url = StripeGateway().start_checkout(payment=card, plan=None, success_url="https://portal.test/ok",
                                             cancel_url="https://portal.test/no")
    assert url == "https://checkout.stripe.test/c/1"
    params = create.call_args.kwargs
    assert params["payment_method_types"] == ["card"] and params["metadata"] == {"payment": card.idempotency_key}
    assert params["line_items"][0]["price_data"]["unit_amount"] == 30617
    assert params["idempotency_key"] == f"checkout-{card.idempotency_key}"


def test_the_join_sends_stripe_members_to_stripe(client, member, on, stripe_settings):
    stripe_settings.PAYMENT_GATEWAY = "stripe"
    client.force_login(member)
    with mock.patch("stripe.checkout.Session.create", return_value=mock.Mock(url="https://checkout.stripe.test/c/2")) as create:
        response = client.post("/members/join/plan/?category=esp-full-time",
                               {"plan_kind": "annual", "token": str(uuid.uuid4())})
    assert response["Location"] == "https://checkout.stripe.test/c/2"
    payment = Payment.objects.get()
    assert create.call_args.kwargs["success_url"] == f"http://testserver/members/payments/{payment.pk}/"
    assert create.call_args.kwargs["cancel_url"] == f"http://testserver/members/payments/{payment.pk}/?cancelled=1"


# --- return pages -------------------------------------------------------------------------------------------------------


def test_pending_payment_page_polls_until_the_status_changes(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly")
    client.force_login(member)
    page = client.get(f"/members/payments/{payment.pk}/").content.decode()
    assert "We're waiting for your bank" in page
    assert f'hx-get="/members/payments/{payment.pk}/status/"' in page and 'hx-trigger="every 3s"' in page
    assert 'aria-live="polite"' in page
    sandbox_post(client, sandbox_event(payment))
    fragment = client.get(f"/members/payments/{payment.pk}/status/").content.decode()
    assert "Payment received: $" in fragment and "hx-trigger" not in fragment
    assert "<html" not in fragment


def test_leaving_the_checkout_says_nothing_was_charged(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    page = client.get(f"/members/payments/{payment.pk}/?cancelled=1").content.decode()
    assert "You left the checkout" in page and "Nothing was charged" in page and "hx-trigger" not in page
    response = client.post(f"/members/payments/{payment.pk}/checkout/")
    assert response["Location"].startswith("/members/payments/checkout/sandbox/")


# --- the dashboard -----------------------------------------------------------------------------------------------------


def test_dashboard_says_not_a_member_yet(client, outsider, member, on):
    client.force_login(outsider)
    page = client.get("/dashboard/").content.decode()
    assert "Not a member yet" in page and 'href="/members/join/">Join MAE' in page
    client.force_login(member)
    page = client.get("/dashboard/").content.decode()
    assert "Not a member yet" in page and 'href="/members/join/">Join MAE' in page


def test_dashboard_active_member_with_drafts(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    StoredDocument.objects.create(owner=member, kind="receipt", title="Receipt",
                                  download_name="r.pdf", status=StoredDocument.Status.READY, subject=payment)
    page = client.get("/dashboard/").content.decode()
    assert "Active member through August 31, 2027" in page
    assert "2026-27, through August 31, 2027" in page and "ESP full-time" in page
    assert "Monthly bank draft on day 15, Checking ending 6789" in page
    assert "Next draft</dt><dd>November 15, 2026: $30.61" in page
    assert "Your membership renews automatically on September 1" in page
    assert 'aria-label="Receipt for $' in page
    for link in ("/members/plan/change/", "/members/plan/payment-method/", "/members/plan/automatic-renewal/cancel/",
                 "/members/plan/drafts/stop/"):
        assert f'href="{link}"' in page


def test_dashboard_failed_draft_offers_pay_now(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    draft = Payment.objects.filter(status="scheduled").order_by("due_on").first()
    sandbox_post(client, sandbox_event(draft, succeeded=False, message="The bank returned the draft for insufficient funds."))
    on(date(2026, 11, 16))
    page = client.get("/dashboard/").content.decode()
    assert "Your draft of $30.61 due November 15, 2026 did not go through" in page
    assert "insufficient funds" in page and f'action="/members/payments/{draft.pk}/retry/"' in page
    token = re.search(rf'action="/members/payments/{draft.pk}/retry/">.*?name="token" value="([^"]+)"', page, re.S).group(1)
    response = client.post(f"/members/payments/{draft.pk}/retry/", {"token": token})
    retry = Payment.objects.get(status="pending")
    assert retry.method == "card" and retry.amount == Decimal("30.61")
    client.post(response["Location"], CARD)
    page = client.get("/dashboard/").content.decode()
    assert "did not go through" not in page.split("Membership history")[0]


@pytest.mark.parametrize("day, expected", [
    (date(2027, 9, 10), "In grace period: renew by September 30, 2027"),
    (date(2027, 10, 5), "Lapsed on October 1, 2027"),
])
def test_dashboard_grace_and_lapse_after_the_year(client, member, esp_full_time, on, day, expected):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment)
    on(day)
    page = client.get("/dashboard/").content.decode()
    assert expected in page


def test_dashboard_lapsed_for_unpaid_drafts(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    on(date(2026, 12, 20))  # November 15's draft never made and 30 days of grace gone
    assert "Lapsed on December 16, 2026" in client.get("/dashboard/").content.decode()


def test_dashboard_queries_do_not_grow_with_terms_and_payments(client, member, esp_full_time, on, settings,
                                                               django_assert_max_num_queries):
    settings.SESSION_TOUCH_SECONDS = 3600  # a slow machine's setup must not make the last page touch the session
    client.force_login(member)
    DuesRate.objects.create(category=esp_full_time, effective_from=date(2015, 9, 1), local_share=Decimal("10"),
                            state_share=Decimal("180"), national_share=Decimal("120"))

    def add_years(first, count):
        for year in range(first, first + count):
            payment = join(member, esp_full_time, token=f"y{year}", today=date(year, 9, 1))
            deliver(sandbox_event(payment))
            payment_record(term=payment.term, amount=Decimal("1.00"), method="cash", actor=member,
                                    overpayment=True, idempotency_key=f"cash{year}")

    add_years(2017, 1)
    on(date(2017, 10, 1))
    client.get("/dashboard/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as one:
        client.get("/dashboard/")
    add_years(2018, 9)
    on(date(2026, 10, 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/dashboard/").content.decode()
    assert page.count("<tr><td>20") >= 10


def test_dashboard_asks_for_missing_documents_only_after_a_recent_payment(client, member, esp_full_time):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment)

    def asked():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/dashboard/").content.decode()
        return any(q["sql"].startswith('SELECT 1 AS "a" FROM "members_payment"') for q in queries), page

    assert asked()[0]  # paid a moment ago: are its receipt and card there yet?
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(minutes=11))
    was_asked, page = asked()
    assert not was_asked and 'hx-get="/documents/panel/"' not in page  # the loaded payments say: nothing to wait for


# --- plans -------------------------------------------------------------------------------------------------------------


def test_change_between_monthly_and_payday_drafts(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    before = sum(p.amount for p in Payment.objects.filter(status="scheduled"))
    page = client.get("/members/plan/change/").content.decode()
    assert "Monthly bank draft on day 15" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post("/members/plan/change/", {"plan_kind": "payday", "token": token}, follow=True)
    assert "Your plan is now: bank draft on each payday (monthly, last business day)." in response.content.decode()
    plan = PaymentPlan.objects.get(status="active")
    assert plan.kind == "payday" and plan.gateway_payment_method == "sbx_acct_000123456789"
    assert plan.authorization_id == PaymentPlan.objects.get(status="cancelled").authorization_id
    drafts = list(Payment.objects.filter(status="scheduled").order_by("due_on"))
    assert drafts[0].due_on == date(2026, 10, 30) and sum(p.amount for p in drafts) == before
    assert MembershipTerm.objects.get().plan == plan
    assert AuditLog.objects.filter(action="plan.changed").count() == 1


def test_change_from_annual_to_drafts_needs_the_authorization(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment, DECLINED)
    page = client.get("/members/plan/change/").content.decode()
    assert "You still owe $306.17 for 2026-27" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post("/members/plan/change/", {"plan_kind": "monthly", "draft_day": "20", "token": token})
    assert response["Location"] == "/members/plan/change/authorize/?plan=monthly&draft_day=20"
    page = client.get(response["Location"]).content.decode()
    assert "the unpaid balance of my ESP full-time membership dues" in page and "on day 20 of each month" in page
    token, digest = (re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("token", "digest"))
    wrong = client.post(response["Location"], {"agree": "on", "typed_name": "T Shelton", "token": token, "digest": digest})
    assert field_error(wrong, "typed_name") and PaymentPlan.objects.filter(status="active").get().kind == "annual"
    signed = client.post(response["Location"], {"agree": "on", "typed_name": "Tamika Shelton", "token": token,
                                                "digest": digest})
    assert signed["Location"].startswith("/members/payments/checkout/sandbox/")
    plan = PaymentPlan.objects.get(status="active")
    assert plan.kind == "monthly" and plan.authorization.typed_name == "Tamika Shelton"
    first = Payment.objects.get(status="pending")
    client.post(signed["Location"], BANK)
    first.refresh_from_db()
    assert first.status == "succeeded"
    assert "Active member through August 31, 2027" in client.get("/dashboard/").content.decode()


def test_annual_paid_in_full_has_nothing_to_draft(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment)
    page = client.get("/members/plan/change/").content.decode()
    assert "nothing to draft this year" in page and 'name="plan_kind"' not in page
    response = client.get("/members/plan/change/authorize/?plan=monthly&draft_day=2")
    assert response["Location"] == "/members/plan/change/"


def test_cancel_automatic_renewal_with_confirmation(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="payday")
    client.force_login(member)
    pay(client, payment, BANK)
    page = client.get("/members/plan/automatic-renewal/cancel/").content.decode()
    assert "Cancel automatic renewal?" in page and PaymentPlan.objects.get().auto_renew
    response = client.post("/members/plan/automatic-renewal/cancel/", follow=True)
    assert "Automatic renewal is off." in response.content.decode()
    assert not PaymentPlan.objects.get().auto_renew
    assert "renews automatically" not in response.content.decode()


def test_stop_bank_drafts_with_confirmation(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    page = client.get("/members/plan/drafts/stop/").content.decode()
    assert "9 drafts totalling $275.49 are still to come" in page
    response = client.post("/members/plan/drafts/stop/", follow=True)
    page = response.content.decode()
    assert "Your bank drafts are stopped" in page
    assert PaymentPlan.objects.get().status == "cancelled" and DraftAuthorization.objects.get().revoked_at
    # The drafts never attempted are cancelled, not failed: one way to pay what is left, no red boxes.
    assert "Pay the remaining $275.49" in page and "did not go through" not in page
    assert set(Payment.objects.filter(installment_number__gt=1).values_list("status", flat=True)) == {"cancelled"}
    assert client.get("/members/plan/drafts/stop/").status_code == 404


def test_update_payment_method_pays_the_next_draft_from_the_new_account(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    page = client.get("/members/plan/payment-method/").content.decode()
    assert "$30.61" in page and "November 15, 2026" in page
    response = client.post("/members/plan/payment-method/")
    again = client.post("/members/plan/payment-method/")
    draft = Payment.objects.get(status="pending")
    assert draft.due_on == date(2026, 11, 15) and response["Location"] == again["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Routing number" in page
    client.post(response["Location"], {**BANK, "account": "000999888777"})  # unknown account: fails
    draft.refresh_from_db()
    assert draft.status == "failed"
    assert PaymentPlan.objects.get().gateway_payment_method == "sbx_acct_000123456789"
    response = client.post("/members/plan/payment-method/")
    second = Payment.objects.get(status="pending")
    client.post(response["Location"], {**BANK, "account": "000123456789"})
    second.refresh_from_db()
    assert second.status == "succeeded"


def test_leaving_the_account_change_puts_the_draft_back(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    client.post("/members/plan/payment-method/")
    draft = Payment.objects.get(status="pending")
    page = client.get(f"/members/payments/{draft.pk}/?cancelled=1").content.decode()
    assert "Keep my current bank account" in page
    client.post(f"/members/payments/{draft.pk}/keep-account/")
    draft.refresh_from_db()
    assert draft.status == "scheduled"


def test_plan_pages_without_a_plan_answer_404(client, member, on):
    client.force_login(member)
    for url in ("/members/plan/change/", "/members/plan/automatic-renewal/cancel/", "/members/plan/drafts/stop/",
                "/members/plan/payment-method/", "/members/plan/change/authorize/"):
        assert client.get(url).status_code == 404, url


# --- renewal ------------------------------------------------------------------------------------------------------------


def test_renewal_window_one_click_renewal(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment)
    on(date(2027, 6, 1))
    assert "Renew for 2027-28" not in client.get("/dashboard/").content.decode()
    assert "Renewal for the next year opens on July 17, 2027" in client.get("/members/renew/").content.decode()
    on(date(2027, 7, 20))
    assert 'href="/members/renew/">Renew for 2027-28' in client.get("/dashboard/").content.decode()
    page = client.get("/members/renew/").content.decode()
    assert re.search(r'value="esp-full-time" id="[^"]+" checked', page)
    assert "$334.00" in page and "prorated" not in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post("/members/renew/", {"category": "esp-full-time", "plan_kind": "annual", "token": token})
    assert response["Location"].startswith("/members/payments/checkout/sandbox/")
    renewal = MembershipTerm.objects.get(membership_year=2027)
    assert renewal.continues == payment.term and renewal.amount_due == Decimal("334.00")
    client.post(response["Location"], CARD)
    page = client.get("/dashboard/").content.decode()
    assert "You have renewed for 2027-28" in page and "Renew for 2027-28" not in page


def test_renewal_switching_to_drafts_asks_for_the_authorization(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment)
    on(date(2027, 8, 1))
    page = client.get("/members/renew/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post("/members/renew/", {"category": "esp-full-time", "plan_kind": "payday", "token": token})
    assert response["Location"] == "/members/renew/authorize/?category=esp-full-time&plan=payday&draft_day=1"
    page = client.get(response["Location"]).content.decode()
    assert "membership year 2027-28 (September 1, 2027 to August 31, 2028): $334.00 in all" in page
    token, digest = (re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("token", "digest"))
    signed = client.post(response["Location"], {"agree": "on", "typed_name": "Tamika Shelton", "token": token,
                                                "digest": digest})
    assert signed["Location"].startswith("/members/payments/checkout/sandbox/")
    renewal = MembershipTerm.objects.get(membership_year=2027)
    assert renewal.continues == payment.term and renewal.plan.kind == "payday"


def test_installment_members_keep_their_plan_without_signing_again(client, member, esp_full_time, on):
    payment = join(member, esp_full_time, plan="monthly", draft_day=15)
    client.force_login(member)
    pay(client, payment, BANK)
    for draft in Payment.objects.filter(status="scheduled"):
        deliver(sandbox_event(draft))
    on(date(2027, 8, 1))
    page = client.get("/dashboard/").content.decode()
    assert "Your membership renews automatically on September 1" in page and "Renew for 2027-28" not in page
    page = client.get("/members/renew/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post("/members/renew/", {"category": "esp-full-time", "plan_kind": "monthly", "draft_day": "15",
                                               "token": token})
    assert response["Location"].startswith("/members/payments/checkout/sandbox/")
    assert DraftAuthorization.objects.count() == 1


def test_renewal_is_not_offered_to_unpaid_terms(client, member, esp_full_time, on):
    join(member, esp_full_time)
    client.force_login(member)
    on(date(2027, 8, 1))
    assert "not paid up" in client.get("/members/renew/").content.decode()
    assert client.post("/members/renew/", {"category": "esp-full-time", "plan_kind": "annual",
                                           "token": str(uuid.uuid4())}).status_code == 200
    assert MembershipTerm.objects.count() == 1


def test_joining_in_the_renewal_window_renews_instead(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment)
    on(date(2027, 9, 5))
    assert client.get("/members/join/")["Location"] == "/members/renew/"
    on(date(2027, 10, 5) + timedelta(days=1))
    assert client.get("/members/join/").status_code == 200


def test_documents_panel_keeps_asking_until_the_receipt_and_card_are_there(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    assert 'hx-trigger="every 3s"' not in client.get("/dashboard/").content.decode()
    pay(client, payment)
    assert 'hx-get="/documents/panel/"' in client.get("/dashboard/").content.decode()
    assert 'hx-get="/documents/panel/"' in client.get("/documents/panel/").content.decode()
    for kind, subject in (("receipt", payment), ("card", payment.term)):
        StoredDocument.objects.create(owner=member, kind=kind, title=kind, download_name="x.pdf", subject=subject,
                                      status=StoredDocument.Status.READY)
    assert 'hx-get="/documents/panel/"' not in client.get("/documents/panel/").content.decode()
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(minutes=11))
    StoredDocument.objects.all().delete()
    assert 'hx-get="/documents/panel/"' not in client.get("/dashboard/").content.decode()


def test_a_worksite_list_redrawn_for_the_same_district_keeps_the_choice(client, outsider, sites):
    client.force_login(outsider)
    page = client.get("/members/join/worksites/", {"employer_district": "Tupelo Public School District",
                                                    "worksite": sites["depot"].pk}).content.decode()
    assert f'<option value="{sites["depot"].pk}" selected>Tupelo Transportation Department</option>' in page


def test_plan_forms_sent_twice_do_not_end_on_an_error_page(client, member, esp_full_time, on):
    payment = join(member, esp_full_time)
    client.force_login(member)
    pay(client, payment, DECLINED)
    url = "/members/plan/change/authorize/?plan=payday&draft_day=1"
    page = client.get(url).content.decode()
    token, digest = (re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("token", "digest"))
    signed = {"agree": "on", "typed_name": "Tamika Shelton", "token": token, "digest": digest}
    first, second = client.post(url, signed), client.post(url, signed)
    assert first["Location"].startswith("/members/payments/checkout/")
    assert second["Location"].startswith("/members/payments/checkout/")
    assert DraftAuthorization.objects.count() == 1 and Payment.objects.filter(status="pending").count() == 1
    client.post(first["Location"], BANK)
    assert client.post("/members/plan/drafts/stop/")["Location"] == "/dashboard/"
    again = client.post("/members/plan/drafts/stop/", follow=True)
    assert again.status_code == 200 and "Your plan has changed already" in again.content.decode()
    assert client.post("/members/plan/automatic-renewal/cancel/")["Location"] == "/dashboard/"
