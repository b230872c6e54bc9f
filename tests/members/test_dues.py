"""The pure membership rules, with tables of explicit dates."""

from datetime import date
from decimal import Decimal

import pytest

from mae_portal.calendar import BusinessCalendar
from members import dues
from members.dues import Shares, TermStatus

D = Decimal


@pytest.mark.parametrize(("day", "year"), [
    (date(2026, 8, 31), 2025), (date(2026, 9, 1), 2026), (date(2026, 12, 31), 2026),
    (date(2027, 1, 1), 2026), (date(2027, 8, 31), 2026), (date(2024, 2, 29), 2023),
])
def test_membership_year_for(day, year):
    assert dues.membership_year_for(day) == year


def test_membership_year_bounds():
    assert dues.membership_year_bounds(2026) == (date(2026, 9, 1), date(2027, 8, 31))


@pytest.mark.parametrize(("rule", "joined", "factor"), [
    ("monthly", date(2026, 9, 1), D(1)),
    ("monthly", date(2026, 9, 30), D(1)),  # the join month counts in full
    ("monthly", date(2026, 10, 15), D(11) / 12),
    ("monthly", date(2027, 1, 2), D(8) / 12),
    ("monthly", date(2027, 8, 31), D(1) / 12),
    ("half_year", date(2026, 9, 1), D(1)),
    ("half_year", date(2027, 1, 31), D(1)),
    ("half_year", date(2027, 2, 1), D("0.5")),
    ("half_year", date(2027, 8, 31), D("0.5")),
    ("none", date(2027, 8, 31), D(1)),
])
def test_proration_factor(rule, joined, factor):
    assert dues.proration_factor(rule, joined) == factor


ESP_FULL = Shares(D("15.00"), D("190.00"), D("129.00"))


@pytest.mark.parametrize(("joined", "renewal", "total"), [
    (date(2026, 9, 1), False, D("334.00")),
    (date(2026, 10, 15), False, D("306.17")),
    (date(2027, 3, 3), False, D("167.00")),
    (date(2027, 8, 31), False, D("27.83")),
    (date(2027, 3, 3), True, D("334.00")),  # a renewal pays the whole year
])
def test_dues_for_monthly_proration_and_shares_add_up(joined, renewal, total):
    shares = dues.dues_for(ESP_FULL, "monthly", joined, renewal=renewal)
    assert shares.total == total
    assert shares.local + shares.state + shares.national == total
    assert all(share >= 0 and share == share.quantize(D("0.01")) for share in (shares.local, shares.state, shares.national))


@pytest.mark.parametrize("factor", [D(n) / 12 for n in range(1, 13)] + [D("0.5"), D("0.333")])
def test_scaled_shares_always_sum_to_the_rounded_total(factor):
    for shares in (ESP_FULL, Shares(D("25.00"), D("380.00"), D("216.00")), Shares(D("0.01"), D("0.01"), D("0.01"))):
        scaled = shares.scaled(factor)
        assert scaled.total == (shares.total * factor).quantize(D("0.01"))


@pytest.mark.parametrize(("schedule", "first", "last", "anchor", "expected"), [
    # Last business day: Oct 31 2026 is a Saturday -> Friday Oct 30; Jan 31 2027 a Sunday -> Jan 29.
    ("monthly_last", date(2026, 10, 1), date(2027, 1, 31), None,
     [date(2026, 10, 30), date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 29)]),
    # The 15th and the last day; Nov 15 2026 is a Sunday -> Friday Nov 13.
    ("semimonthly", date(2026, 11, 1), date(2026, 12, 31), None,
     [date(2026, 11, 13), date(2026, 11, 30), date(2026, 12, 15), date(2026, 12, 31)]),
    # Every other Friday from an anchor; Dec 25 2026 (Christmas, a Friday) moves to Thursday Dec 24.
    ("biweekly", date(2026, 12, 1), date(2027, 1, 10), date(2026, 11, 27),
     [date(2026, 12, 11), date(2026, 12, 24), date(2027, 1, 8)]),
    # Mississippi's MLK/Lee day, Monday Jan 19 2026, is not a payday day; Jan 30 2026 is a Friday.
    ("monthly_last", date(2026, 1, 1), date(2026, 1, 31), None, [date(2026, 1, 30)]),
])
def test_paydays_move_to_the_previous_business_day(schedule, first, last, anchor, expected):
    assert dues.paydays(schedule, first, last, anchor=anchor) == expected


def test_previous_business_day_skips_mississippi_holidays():
    # Paydays move back over the core business calendar (mae_portal/calendar.py, tested in tests/portal).
    calendar = BusinessCalendar(years=[2027])
    assert calendar.previous_open_day(date(2027, 1, 18)) == date(2027, 1, 15)  # MLK/Lee day, then a weekend


@pytest.mark.parametrize(("first", "last", "day", "expected"), [
    (date(2026, 10, 16), date(2027, 1, 31), 15, [date(2026, 11, 15), date(2026, 12, 15), date(2027, 1, 15)]),
    (date(2027, 1, 1), date(2027, 3, 31), 31, [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]),
    (date(2027, 7, 2), date(2027, 7, 31), 1, []),
])
def test_monthly_draft_dates(first, last, day, expected):
    assert dues.monthly_draft_dates(first, last, day) == expected


@pytest.mark.parametrize(("total", "n", "first", "rest"), [
    (D("334.00"), 10, D("33.40"), D("33.40")),
    (D("306.17"), 9, D("34.09"), D("34.01")),
    (D("0.05"), 3, D("0.03"), D("0.01")),
])
def test_split_installments_is_cents_exact(total, n, first, rest):
    dates = [date(2026, 10, i + 1) for i in range(n)]
    parts = dues.split_installments(total, dates)
    assert sum(amount for _, amount in parts) == total
    assert parts[0][1] == first and all(amount == rest for _, amount in parts[1:])


def test_installment_dates_end_before_the_final_month():
    dates = dues.installment_dates(frequency="monthly", start=date(2026, 9, 1), end=date(2027, 8, 31), day_of_month=5)
    assert dates[0] == date(2026, 9, 5) and dates[-1] == date(2027, 7, 5)


S, E = date(2026, 9, 1), date(2027, 8, 31)


@pytest.mark.parametrize(("today", "cancelled", "renewal", "paid", "required", "status"), [
    (date(2026, 8, 20), False, True, D(0), D(0), TermStatus.PENDING),  # before it starts
    (date(2026, 9, 1), False, True, D(0), D(0), TermStatus.PENDING),
    (date(2026, 9, 15), False, True, D(0), D(0), TermStatus.GRACE),  # a renewal not yet paid
    (date(2026, 9, 15), False, False, D(0), D(0), TermStatus.PENDING),  # a new join not yet paid
    (date(2026, 10, 1), False, True, D(0), D(0), TermStatus.GRACE),  # last day of 30 days' grace
    (date(2026, 10, 2), False, True, D(0), D(0), TermStatus.LAPSED),
    (date(2026, 10, 2), False, False, D(0), D(0), TermStatus.LAPSED),
    (date(2026, 10, 2), False, True, D(334), D(334), TermStatus.ACTIVE),
    (date(2027, 8, 31), False, True, D(334), D(334), TermStatus.ACTIVE),
    (date(2027, 9, 1), False, True, D(334), D(334), TermStatus.EXPIRED),
    (date(2026, 12, 1), False, True, D("66.80"), D("66.80"), TermStatus.ACTIVE),  # plan in good standing
    (date(2026, 12, 1), False, True, D("33.40"), D("66.80"), TermStatus.LAPSED),  # plan behind past grace
    (date(2026, 12, 1), True, True, D(334), D(334), TermStatus.CANCELLED),
])
def test_term_status(today, cancelled, renewal, paid, required, status):
    assert dues.term_status(start=S, end=E, cancelled=cancelled, renewal=renewal, amount_due=D(334), paid=paid,
                            required_now=required, today=today, grace_days=30) == status


@pytest.mark.parametrize(("today", "open_"), [
    (date(2027, 7, 16), False), (date(2027, 7, 17), True), (date(2027, 8, 31), True),
    (date(2027, 9, 30), True), (date(2027, 10, 1), False),
])
def test_renewal_window(today, open_):
    assert dues.renewal_window_opens(E, 45) == date(2027, 7, 17)
    assert dues.is_renewal_window_open(E, 45, 30, today) is open_


def test_notice_dates():
    assert [dues.notice_date(E, offset) for offset in (-30, -7, 0, 14)] == [
        date(2027, 8, 1), date(2027, 8, 24), date(2027, 8, 31), date(2027, 9, 14)]
