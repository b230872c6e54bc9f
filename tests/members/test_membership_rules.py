"""Table tests of the membership rules that left the views: may renew, the card's valid-through date,
the dashboard's status line and what is owed, the year label. All pure: fake terms and payments."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from members import dues
from members.dues import TermStatus
from members.models import Payment, PaymentPlan
from members.selectors.dashboard import balances_to_pay, lapse_date, payments_owed, status_line
from members.selectors.terms import card_valid_through, renewable_term


def term(pk, year, status, *, continues=None, paid="0", amount_due="300", plan=None):
    start, end = date(year, 9, 1), date(year + 1, 8, 31)
    return SimpleNamespace(pk=pk, membership_year=year, start=start, end=end, status=status, continues_id=continues,
                           year_label=dues.year_label(year), paid=Decimal(paid), amount_due=Decimal(amount_due),
                           plan=plan)


WINDOW, GRACE = 60, 30


@pytest.mark.parametrize("terms, today, expected", [
    ([], date(2026, 8, 1), None),
    ([term(1, 2025, TermStatus.ACTIVE)], date(2026, 6, 1), None),  # window not open yet (opens July 2)
    ([term(1, 2025, TermStatus.ACTIVE)], date(2026, 7, 2), 1),  # first day of the window
    ([term(1, 2025, TermStatus.EXPIRED)], date(2026, 9, 30), 1),  # last day of the grace period
    ([term(1, 2025, TermStatus.EXPIRED)], date(2026, 10, 1), None),  # grace period over
    ([term(1, 2025, TermStatus.LAPSED)], date(2026, 8, 1), None),  # not paid up
    ([term(1, 2025, TermStatus.PENDING)], date(2026, 8, 1), None),
    ([term(2, 2026, TermStatus.PENDING, continues=1), term(1, 2025, TermStatus.ACTIVE)], date(2026, 8, 1), None),
    ([term(2, 2026, TermStatus.CANCELLED, continues=1), term(1, 2025, TermStatus.ACTIVE)], date(2026, 8, 1), 1),
    ([term(1, 2025, TermStatus.CANCELLED)], date(2026, 8, 1), None),
])
def test_may_renew(terms, today, expected):
    found = renewable_term(terms, today=today, renewal_window_days=WINDOW, grace_period_days=GRACE)
    assert getattr(found, "pk", None) == expected


@pytest.mark.parametrize("terms, card, today, expected", [
    ([term(1, 2025, TermStatus.ACTIVE)], 1, date(2026, 1, 10), (True, date(2026, 8, 31))),
    # a paid renewal carries the date on; an unpaid one does not
    ([term(2, 2026, TermStatus.ACTIVE, continues=1), term(1, 2025, TermStatus.ACTIVE)], 1, date(2026, 8, 10),
     (True, date(2027, 8, 31))),
    ([term(2, 2026, TermStatus.PENDING, continues=1), term(1, 2025, TermStatus.ACTIVE)], 1, date(2026, 8, 10),
     (True, date(2026, 8, 31))),
    # last year's card of a member renewed since: active, through this year
    ([term(2, 2026, TermStatus.ACTIVE, continues=1), term(1, 2025, TermStatus.EXPIRED)], 1, date(2026, 10, 1),
     (True, date(2027, 8, 31))),
    ([term(1, 2025, TermStatus.EXPIRED)], 1, date(2026, 10, 1), (False, date(2026, 8, 31))),
    ([term(1, 2025, TermStatus.LAPSED)], 1, date(2026, 1, 10), (False, None)),
    ([term(1, 2025, TermStatus.CANCELLED)], 1, date(2026, 1, 10), (False, None)),
])
def test_card_valid_through(terms, card, today, expected):
    assert card_valid_through(terms, card_term_pk=card, today=today) == expected


@pytest.mark.parametrize("current, today, tone, text", [
    (None, date(2026, 1, 1), "none", "Not a member yet"),
    (term(1, 2025, TermStatus.ACTIVE), date(2026, 1, 1), "ok", "Active member through August 31, 2026"),
    (term(1, 2025, TermStatus.PENDING), date(2025, 9, 1), "pending", "Payment pending"),
    (term(1, 2025, TermStatus.GRACE), date(2025, 9, 10), "warn", "In grace period: pay by October 1, 2025"),
    (term(1, 2025, TermStatus.EXPIRED), date(2026, 9, 15), "warn", "In grace period: renew by September 30, 2026"),
    (term(1, 2025, TermStatus.EXPIRED), date(2026, 10, 1), "warn", "Lapsed on October 1, 2026"),
    (term(1, 2025, TermStatus.LAPSED), date(2026, 1, 1), "warn", "Lapsed on October 2, 2025"),
    (term(1, 2025, TermStatus.CANCELLED), date(2026, 1, 1), "none", "Not a member yet"),
])
def test_status_line(current, today, tone, text):
    status = status_line(current, [], today, GRACE)
    assert (status.tone, status.text) == (tone, text)


def payment(pk, term_id, due, status, *, number=1, amount="100", created=1):
    return SimpleNamespace(pk=pk, term_id=term_id, due_on=due, status=status, installment_number=number,
                           amount=Decimal(amount), created_at=datetime(2025, 9, created, tzinfo=UTC))


@pytest.mark.parametrize("paid, expected", [
    ("0", date(2025, 10, 2)),  # the first draft, September 1, was not covered
    ("100", date(2025, 11, 1)),  # the second draft, October 1
    ("150", date(2025, 11, 1)),  # half of the second is not enough
])
def test_lapse_date(paid, expected):
    lapsed = term(1, 2025, TermStatus.LAPSED, paid=paid)
    drafts = [payment(10 + k, 1, date(2025, 9 + k, 1), Payment.Status.SUCCEEDED, number=k + 1) for k in range(3)]
    assert lapse_date(lapsed, drafts, GRACE) == expected


def test_payments_owed():
    terms = {1: term(1, 2025, TermStatus.LAPSED), 2: term(2, 2024, TermStatus.CANCELLED)}
    sep, oct_, nov = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)
    payments = [
        payment(1, 1, sep, Payment.Status.FAILED, created=1), payment(2, 1, sep, Payment.Status.FAILED, created=2),
        payment(3, 1, oct_, Payment.Status.FAILED), payment(4, 1, oct_, Payment.Status.PENDING, number=None),
        payment(5, 1, nov, Payment.Status.FAILED, number=None),  # not of the schedule: a retry alone
        payment(6, 2, sep, Payment.Status.FAILED),  # of a cancelled term
    ]
    assert [p.pk for p in payments_owed(payments, terms)] == [2]


def test_payments_owed_leaves_out_years_paid_in_full_and_stopped_drafts():
    """A failed draft of a year paid in full owes nothing; one of a year whose drafts were stopped is paid with
    the rest of the year (balances_to_pay), not on its own."""
    sep = date(2025, 9, 1)
    stopped = SimpleNamespace(status=PaymentPlan.Status.CANCELLED)
    terms = {1: term(1, 2025, TermStatus.ACTIVE, paid="300"), 2: term(2, 2025, TermStatus.LAPSED, plan=stopped),
             3: term(3, 2025, TermStatus.LAPSED, paid="250")}
    payments = [payment(1, 1, sep, Payment.Status.FAILED), payment(2, 2, sep, Payment.Status.FAILED),
                payment(3, 3, sep, Payment.Status.FAILED, amount="50"), payment(4, 3, date(2025, 10, 1),
                                                                              Payment.Status.FAILED, amount="60")]
    assert [p.pk for p in payments_owed(payments, terms)] == [3]  # $50 fits in the $50 left; $60 does not


def test_balances_to_pay_offers_one_payment_of_what_is_left():
    stopped = SimpleNamespace(status=PaymentPlan.Status.CANCELLED)
    terms = [term(1, 2025, TermStatus.LAPSED, paid="77.36", amount_due="300", plan=stopped),
             term(2, 2024, TermStatus.LAPSED, plan=stopped),  # a year that is over
             term(3, 2025, TermStatus.ACTIVE, paid="300")]
    to_pay = balances_to_pay(terms, [], [], date(2025, 12, 1))
    assert [(t.pk, t.remaining) for t in to_pay] == [(1, Decimal("222.64"))]
    pending = [payment(9, 1, None, Payment.Status.PENDING, number=None, amount="222.64")]
    assert balances_to_pay(terms, pending, [], date(2025, 12, 1)) == []


@pytest.mark.parametrize("year, label", [(2025, "2025-26"), (1999, "1999-00"), (2009, "2009-10")])
def test_year_label(year, label):
    assert dues.year_label(year) == label
