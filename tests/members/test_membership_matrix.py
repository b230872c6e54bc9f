"""Every membership URL a member uses x every persona -> the status that persona must get.

The member persona has joined (monthly drafts, first payment waiting at checkout). The leader persona has
a member record but no membership yet. Another member (no persona) has a payment of their own: its page
and checkout answer 404 to everyone else. Signed-out visitors are sent to sign in (302).
"""

from datetime import date

import pytest
from django.utils import timezone

from members import clock
from members.models import MembershipCategory
from members.services import followups
from members.services.gateways.sandbox import SandboxGateway
from members.services.join import membership_join
from tests.factories import MemberFactory, UserFactory
from tests.matrix import SIGNED_IN, assert_covers, check_row, get, post, row_id


def statuses(default, anonymous=302, **overrides):
    return {"anonymous": anonymous, **{p: default for p in SIGNED_IN}, **overrides}


def own_only(ok=200, anonymous=302):
    """Only the member persona reaches their own object; everyone else may not know it exists."""
    return statuses(404, anonymous=anonymous, member=ok)


@pytest.fixture
def objects(world, member, leader, monkeypatch):
    monkeypatch.setattr(followups, "enqueue_document", lambda kind, pk: None)
    day = date(2026, 11, 22)  # a fixed "today", so the expectations do not drift with the calendar
    monkeypatch.setattr(clock, "today", lambda: day)
    category = MembershipCategory.objects.get(code="esp-full-time")
    signature = {"typed_name": "Tamika Shelton", "text": "I authorize...", "ip": None, "user_agent": "",
                 "signed_at": timezone.now()}
    own = membership_join(member=member.member, category=category, plan_kind="monthly", draft_day=5,
                                   authorization=signature, actor=member, today=day, idempotency_key="matrix-own")
    someone = MemberFactory(user=UserFactory(), employer_district=world.district_b, local=world.local_b)
    other = membership_join(member=someone, category=category, plan_kind="annual", authorization=None,
                                     actor=someone.user, today=day, idempotency_key="matrix-other")

    def token(payment):
        return SandboxGateway().start_checkout(payment=payment, plan=None, success_url="/", cancel_url="/").split("/")[-2]

    return {"own": own.pk, "other": other.pk, "own_token": token(own), "other_token": token(other),
            "own_term": own.term_id, "other_term": other.term_id}


JOIN_PLAN = "/members/join/plan/?category=esp-full-time"
JOIN_AUTHORIZE = "/members/join/authorize/?category=esp-full-time&plan=monthly&draft_day=5"

MATRIX = [
    # The member persona has joined this year: the join steps send them to their dashboard. People with no
    # member record start at step 1; later steps send them back to it.
    get("/members/join/", statuses(200, member=302)),
    post("/members/join/", statuses(200, member=302)),
    get("/members/join/worksites/?employer_district=x", statuses(200)),
    post("/members/join/worksites/", statuses(405)),  # a lookup the join form makes: GET only
    get("/members/join/category/", statuses(302, leader=200)),
    post("/members/join/category/", statuses(302, leader=200)),
    get(JOIN_PLAN, statuses(302, leader=200)),
    post(JOIN_PLAN, statuses(302, leader=200)),
    get(JOIN_AUTHORIZE, statuses(302, leader=200)),
    post(JOIN_AUTHORIZE, statuses(302, leader=200)),
    # Renewal: the member's year is not in its renewal window yet (a page says when it opens).
    get("/members/renew/", statuses(302, member=200)),
    post("/members/renew/", statuses(302, member=200)),
    get("/members/renew/authorize/?category=esp-full-time&plan=monthly&draft_day=5", statuses(302)),
    post("/members/renew/authorize/?category=esp-full-time&plan=monthly&draft_day=5", statuses(302)),
    get("/members/payments/{own}/", own_only()),
    post("/members/payments/{own}/", own_only()),
    get("/members/payments/{own}/status/", own_only()),
    post("/members/payments/{own}/status/", own_only()),
    get("/members/payments/{other}/", statuses(404)),
    post("/members/payments/{other}/", statuses(404)),
    get("/members/payments/{other}/status/", statuses(404)),
    get("/members/payments/checkout/sandbox/{own_token}/", own_only()),
    post("/members/payments/checkout/sandbox/{own_token}/", own_only()),
    get("/members/payments/checkout/sandbox/{other_token}/", statuses(404)),
    get("/members/payments/checkout/sandbox/not-a-token/", statuses(404)),
    post("/members/payments/checkout/sandbox/{other_token}/", statuses(404)),
    get("/members/payments/{own}/retry/", statuses(405, anonymous=405)),
    post("/members/payments/{own}/retry/", own_only(ok=302)),
    post("/members/payments/{other}/retry/", statuses(404)),
    get("/members/payments/{own}/checkout/", statuses(405, anonymous=405)),
    post("/members/payments/{own}/checkout/", own_only(ok=302)),
    post("/members/payments/{other}/checkout/", statuses(404)),
    get("/members/payments/{own}/keep-account/", statuses(405, anonymous=405)),
    post("/members/payments/{own}/keep-account/", own_only(ok=302)),
    post("/members/payments/{other}/keep-account/", statuses(404)),
    # The member's drafts pay the rest of the year: the button is refused with a message on the dashboard.
    get("/members/payments/terms/{own_term}/pay-remaining/", statuses(405, anonymous=405)),
    post("/members/payments/terms/{own_term}/pay-remaining/", own_only(ok=302)),
    post("/members/payments/terms/{other_term}/pay-remaining/", statuses(404)),
    # Webhooks: no session, no CSRF; an unsigned body is refused whoever sends it.
    post("/members/payments/webhooks/sandbox/", statuses(400, anonymous=400)),
    post("/members/payments/webhooks/stripe/", statuses(400, anonymous=400)),
    post("/members/payments/webhooks/other/", statuses(404, anonymous=404)),
    get("/members/payments/webhooks/sandbox/", statuses(405, anonymous=405)),
    # Plans: only someone with an active plan has these pages; the member's is monthly drafts.
    get("/members/plan/change/", own_only()),
    post("/members/plan/change/", own_only()),
    get("/members/plan/change/authorize/?plan=monthly&draft_day=5", statuses(404)),
    # Sent by someone who has a plan, but not a yearly one: taken for a form sent again after the change
    # (a double click), so the member lands on the dashboard with a message.
    post("/members/plan/change/authorize/?plan=monthly&draft_day=5", statuses(404, member=302)),
    get("/members/plan/automatic-renewal/cancel/", own_only()),
    get("/members/plan/drafts/stop/", own_only()),
    get("/members/plan/payment-method/", own_only()),
    post("/members/plan/automatic-renewal/cancel/", own_only(ok=302)),
    post("/members/plan/payment-method/", own_only(ok=302)),
    post("/members/plan/drafts/stop/", own_only(ok=302)),
    # Another plan after drafts were stopped: the member's drafts still run, so their term has no such page; a form
    # sent anyway is taken for one sent again after drafts started again (the dashboard, with a message). Another
    # member's term answers 404 to everyone.
    get("/members/plan/terms/{own_term}/choose/", statuses(404)),
    post("/members/plan/terms/{own_term}/choose/", statuses(404, member=302)),
    get("/members/plan/terms/{other_term}/choose/", statuses(404)),
    post("/members/plan/terms/{other_term}/choose/", statuses(404)),
    get("/members/plan/terms/{own_term}/choose/authorize/?plan=monthly&draft_day=5", statuses(404)),
    post("/members/plan/terms/{own_term}/choose/authorize/?plan=monthly&draft_day=5", statuses(404, member=302)),
    get("/members/plan/terms/{other_term}/choose/authorize/?plan=monthly&draft_day=5", statuses(404)),
    post("/members/plan/terms/{other_term}/choose/authorize/?plan=monthly&draft_day=5", statuses(404)),
]


def test_matrix_covers_every_membership_url(objects):
    assert_covers(MATRIX, objects, claims=["/members/join/", "/members/renew/", "/members/payments/",
                                           "/members/plan/"])


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_membership_url_by_persona(matrix_clients, objects, row):
    check_row(row, matrix_clients, objects)
