"""Every membership staff URL x every persona -> the status that persona must get.

The whole /members/staff/ area is for membership staff and admins. Everyone else gets 403 on every page
of it, whatever the object: a director asking for /members/staff/members/<n>/ of a member in their own
region still gets 403, and an unknown number gets the same 403, so the answer says nothing about which
members exist. Staff, who may know every member, get 404 for objects that do not exist or do not belong
together (a term of another member). Signed-out visitors are sent to sign in (302).
"""

from datetime import date
from decimal import Decimal

import pytest

from members import clock
from members.models import MembershipCategory, MembershipTerm, Payment, RenewalNoticeRule
from members.services.join import membership_join
from members.services.payments import payment_record
from tests.factories import MemberFactory
from tests.matrix import SIGNED_IN, assert_covers, check_row, get, post, row_id

# Region managers read every member (members/rules.py) but are not membership staff: 403 here too.
STAFF = {"staff", "admin_user"}


def staff_only(ok=200, staff_missing=None):
    """ok for staff and admins, 403 for every other signed-in persona, 302 for anonymous.
    staff_missing: the status staff get when the object does not exist (404)."""
    status = staff_missing or ok
    return {"anonymous": 302, **{p: (status if p in STAFF else 403) for p in SIGNED_IN}}


DAY = date(2026, 11, 22)


@pytest.fixture
def objects(world, member, staff, monkeypatch):
    """The member persona's record with a paid term, and a region-B member with no membership."""
    monkeypatch.setattr(clock, "today", lambda: DAY)  # a fixed "today": no drift with the calendar
    record = member.member
    category = MembershipCategory.objects.get(code="esp-full-time")
    first = membership_join(member=record, category=category, plan_kind="annual", authorization=None,
                                     actor=member, today=DAY, idempotency_key="matrix-join")
    check = payment_record(term=first.term, amount=first.amount, method="check", check_number="101",
                                    actor=staff, idempotency_key="matrix-check")
    other = MemberFactory(employer_district=world.district_b, local=world.local_b)
    Payment.objects.filter(pk=check.pk).update(attention="A sandbox event was not applied: the event is for $1.00.")
    return {
        "own": record.member_number, "other": other.member_number, "term": first.term.pk, "paid": check.pk,
        "code": category.code, "rule": RenewalNoticeRule.objects.first().pk, "S": S,
    }


S = "/members/staff"
# Staff POST an empty body: a form page answers with its errors (200), a confirmation asks again (200).
MATRIX = [
    get(f"{S}/members/", staff_only()),
    post(f"{S}/members/", staff_only()),
    get(f"{S}/members/?q=shelton&status=active", staff_only()),
    get(f"{S}/members/{{own}}/", staff_only()),
    post(f"{S}/members/{{own}}/", staff_only()),
    get(f"{S}/members/{{other}}/", staff_only()),
    get(f"{S}/members/999999999/", staff_only(staff_missing=404)),  # unknown: 404 for staff, 403 for the rest
    post(f"{S}/members/999999999/", staff_only(staff_missing=404)),
    get(f"{S}/members/{{own}}/notes/", staff_only()),
    post(f"{S}/members/{{own}}/notes/", staff_only()),
    post(f"{S}/members/{{own}}/notes/", staff_only(302), data={"text": "Called", "token": "t1"}),
    get(f"{S}/members/{{other}}/terms/new/", staff_only()),
    post(f"{S}/members/{{other}}/terms/new/", staff_only()),
    get(f"{S}/members/999999999/terms/new/", staff_only(staff_missing=404)),
    post(f"{S}/members/999999999/terms/new/", staff_only(staff_missing=404)),
    get(f"{S}/members/{{own}}/terms/{{term}}/payment/", staff_only()),
    post(f"{S}/members/{{own}}/terms/{{term}}/payment/", staff_only()),
    post(f"{S}/members/{{own}}/terms/{{term}}/payment/", staff_only(302),  # the term is paid: $10 is an overpayment
         data={"method": "cash", "amount": "10", "overpayment": "1", "token": "t3", "confirm": "1"}),
    get(f"{S}/members/{{other}}/terms/{{term}}/payment/", staff_only(staff_missing=404)),  # not their term
    post(f"{S}/members/{{other}}/terms/{{term}}/payment/", staff_only(staff_missing=404)),
    get(f"{S}/members/{{own}}/terms/{{term}}/adjust/", staff_only()),
    post(f"{S}/members/{{own}}/terms/{{term}}/adjust/", staff_only()),
    get(f"{S}/members/{{own}}/terms/{{term}}/category/", staff_only()),
    post(f"{S}/members/{{own}}/terms/{{term}}/category/", staff_only()),
    get(f"{S}/members/{{own}}/terms/{{term}}/cancel/", staff_only()),
    post(f"{S}/members/{{own}}/terms/{{term}}/cancel/", staff_only()),
    get(f"{S}/members/{{own}}/terms/{{term}}/reinstate/", staff_only()),
    # The reinstate confirmation posts nothing but the CSRF token: an empty body confirms it.
    post(f"{S}/members/{{own}}/terms/{{term}}/reinstate/", staff_only(302)),
    get(f"{S}/members/{{own}}/payments/{{paid}}/refund/", staff_only()),
    post(f"{S}/members/{{own}}/payments/{{paid}}/refund/", staff_only()),
    get(f"{S}/members/{{other}}/payments/{{paid}}/refund/", staff_only(staff_missing=404)),  # not their payment
    post(f"{S}/members/{{other}}/payments/{{paid}}/refund/", staff_only(staff_missing=404)),
    get(f"{S}/members/{{own}}/payments/{{paid}}/resolve/", staff_only()),
    post(f"{S}/members/{{own}}/payments/{{paid}}/resolve/", staff_only()),
    post(f"{S}/members/{{own}}/payments/{{paid}}/resolve/", staff_only(302), data={"note": "Checked", "confirm": "1"}),
    get(f"{S}/members/{{other}}/payments/{{paid}}/resolve/", staff_only(staff_missing=404)),  # not their payment
    post(f"{S}/members/{{other}}/payments/{{paid}}/resolve/", staff_only(staff_missing=404)),
    get(f"{S}/payments/attention/", staff_only()),
    post(f"{S}/payments/attention/", {"anonymous": 405, **{p: 405 for p in SIGNED_IN}}),  # a list: GET only
    get(f"{S}/categories/", staff_only()),
    post(f"{S}/categories/", staff_only()),
    get(f"{S}/categories/new/", staff_only()),
    post(f"{S}/categories/new/", staff_only()),
    get(f"{S}/categories/{{code}}/edit/", staff_only()),
    post(f"{S}/categories/{{code}}/edit/", staff_only()),
    get(f"{S}/categories/no-such-category/edit/", staff_only(staff_missing=404)),
    post(f"{S}/categories/no-such-category/edit/", staff_only(staff_missing=404)),
    get(f"{S}/categories/{{code}}/rates/new/", staff_only()),
    post(f"{S}/categories/{{code}}/rates/new/", staff_only()),
    get(f"{S}/renewal-policy/", staff_only()),
    post(f"{S}/renewal-policy/", staff_only()),
    get(f"{S}/notices/new/", staff_only()),
    post(f"{S}/notices/new/", staff_only()),
    get(f"{S}/notices/{{rule}}/toggle/", staff_only()),
    post(f"{S}/notices/{{rule}}/toggle/", staff_only(302)),
    get(f"{S}/notices/999999/toggle/", staff_only(staff_missing=404)),
    post(f"{S}/notices/999999/toggle/", staff_only(staff_missing=404)),
    get(f"{S}/lookup/", staff_only()),
    post(f"{S}/lookup/", staff_only()),
]


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_url_persona_status(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_staff_url(objects):
    """A new URL in members/urls_staff.py must join the matrix above."""
    assert_covers(MATRIX, objects, claims=[f"{S}/"])


POSTS = [
    ("{S}/members/{own}/notes/", {"text": "x", "token": "t1"}),
    ("{S}/members/{other}/terms/new/", {"which": "join", "category": 1, "method": "cash", "token": "t2", "confirm": "1"}),
    ("{S}/members/{own}/terms/{term}/payment/", {"method": "cash", "amount": "10", "overpayment": "1", "token": "t3",
                                                 "confirm": "1"}),
    ("{S}/members/{own}/payments/{paid}/resolve/", {"note": "x", "confirm": "1"}),
    ("{S}/members/{own}/terms/{term}/adjust/", {"kind": "credit", "amount": "10", "reason": "x", "token": "t4",
                                                  "confirm": "1"}),
    ("{S}/members/{own}/terms/{term}/cancel/", {"reason": "x"}),
    ("{S}/members/{own}/payments/{paid}/refund/", {"amount": "1", "reason": "x", "token": "t5", "confirm": "1"}),
    ("{S}/categories/{code}/rates/new/", {"effective_from": "2030-09-01", "local_share": "1", "state_share": "1",
                                          "national_share": "1"}),
    ("{S}/renewal-policy/", {"renewal_window_days": "10", "grace_period_days": "5"}),
    ("{S}/notices/new/", {"offset_days": "-60"}),
    ("{S}/notices/{rule}/toggle/", {}),
]


@pytest.mark.parametrize("persona", [p for p in SIGNED_IN if p not in STAFF])
def test_other_personas_cannot_post_anything(persona, as_persona, objects):
    client = as_persona(persona)
    counts = (Payment.objects.count(), MembershipTerm.objects.filter(cancelled_at__isnull=True).count(),
              RenewalNoticeRule.objects.filter(is_active=True).count())
    for url, data in POSTS:
        response = client.post(url.format(**objects), data)
        assert response.status_code == 403, url
    assert (Payment.objects.count(), MembershipTerm.objects.filter(cancelled_at__isnull=True).count(),
            RenewalNoticeRule.objects.filter(is_active=True).count()) == counts
    assert MembershipCategory.objects.get(code="esp-full-time").rates.count() == 1
    assert Payment.objects.filter(amount=Decimal("-1")).count() == 0


def test_members_link_only_for_membership_staff(as_persona, objects):
    link = f'href="{S}/members/"'
    assert link in as_persona("staff").get("/dashboard/").content.decode()
    as_persona("staff").logout()
    for persona in ["member", "leader", "director", "region_manager", "awards", "reviewer"]:
        client = as_persona(persona)
        assert link not in client.get("/dashboard/").content.decode(), persona
        client.logout()
    assert link in as_persona("admin_user").get("/dashboard/").content.decode()
