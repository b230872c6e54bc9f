"""Date and money rules of membership. Pure functions: no database, no clock; `today` is passed in.

Membership years run September 1 to August 31 and are named by the year they start in
(membership year 2026 = 2026-09-01 .. 2027-08-31).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from mae_portal.calendar import BusinessCalendar

CENT = Decimal("0.01")


def membership_year_for(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def membership_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 9, 1), date(year + 1, 8, 31)


class Proration(StrEnum):
    NONE = "none"  # full dues whatever the join date
    MONTHLY = "monthly"  # pay for the months left, counting the join month
    HALF_YEAR = "half_year"  # half dues when joining from February 1


@dataclass(frozen=True)
class Shares:
    local: Decimal
    state: Decimal
    national: Decimal

    @property
    def total(self) -> Decimal:
        return self.local + self.state + self.national

    def scaled(self, factor: Decimal) -> "Shares":
        """Each share times factor, rounded down to the cent; the rounding remainder goes to the
        local share so the three always add up to the rounded total."""
        total = (self.total * factor).quantize(CENT)
        state = (self.state * factor).quantize(CENT, rounding=ROUND_DOWN)
        national = (self.national * factor).quantize(CENT, rounding=ROUND_DOWN)
        return Shares(local=total - state - national, state=state, national=national)


def proration_factor(rule: str, joined_on: date) -> Decimal:
    """The part of a year's dues owed by someone joining on `joined_on`."""
    if rule == Proration.MONTHLY:
        start, _ = membership_year_bounds(membership_year_for(joined_on))
        months_elapsed = (joined_on.year - start.year) * 12 + joined_on.month - start.month
        return Decimal(12 - months_elapsed) / Decimal(12)
    if rule == Proration.HALF_YEAR:
        return Decimal("0.5") if joined_on.month in (2, 3, 4, 5, 6, 7, 8) else Decimal(1)
    return Decimal(1)


def dues_for(shares: Shares, rule: str, joined_on: date, *, renewal: bool = False) -> Shares:
    """Dues for a term starting on `joined_on`: a renewal always pays the full year."""
    return shares if renewal else shares.scaled(proration_factor(rule, joined_on))


# --- Installments --------------------------------------------------------------------------------------


class PaySchedule(StrEnum):
    MONTHLY_LAST_BUSINESS_DAY = "monthly_last"
    SEMIMONTHLY = "semimonthly"  # the 15th and the last day of the month
    BIWEEKLY = "biweekly"  # every other Friday from an anchor date


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def paydays(schedule: str, first: date, last: date, *, anchor: date | None = None) -> list[date]:
    """A district's paydays between two dates, moved back to the business day before a weekend or
    Mississippi state holiday, as payroll offices do (the core business calendar, without district
    closures: a snow day does not move payroll)."""
    calendar = BusinessCalendar(years=range(first.year - 1, last.year + 2))
    nominal: list[date] = []
    if schedule == PaySchedule.BIWEEKLY:
        day = anchor or first
        while day > first:
            day -= timedelta(days=14)
        while day <= last + timedelta(days=7):
            nominal.append(day)
            day += timedelta(days=14)
    else:
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            if schedule == PaySchedule.SEMIMONTHLY:
                nominal.append(date(year, month, 15))
            nominal.append(_month_end(year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    adjusted = sorted({calendar.previous_open_day(d) for d in nominal})
    return [d for d in adjusted if first <= d <= last]


def monthly_draft_dates(first: date, last: date, day_of_month: int) -> list[date]:
    """One draft a month on `day_of_month` (capped at the month's length), from `first` to `last`."""
    dates = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        draft = date(year, month, min(day_of_month, _month_end(year, month).day))
        if first <= draft <= last:
            dates.append(draft)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def split_installments(total: Decimal, dates: list[date]) -> list[tuple[date, Decimal]]:
    """Equal installments in cents; the odd cents go on the first draft. Sums to `total` exactly."""
    if not dates:
        return []
    cents = int((total / CENT).to_integral_value())
    each, remainder = divmod(cents, len(dates))
    return [(d, (Decimal(each + (remainder if i == 0 else 0)) * CENT)) for i, d in enumerate(dates)]


def installment_dates(*, frequency: str, start: date, end: date, day_of_month: int = 1,
                      pay_schedule: str = PaySchedule.MONTHLY_LAST_BUSINESS_DAY,
                      pay_anchor: date | None = None) -> list[date]:
    """Draft dates of an installment plan; the last draft falls before the term's final month so the
    year is paid before it ends."""
    last = end - timedelta(days=31)
    if frequency == "payday":
        return paydays(pay_schedule, start, last, anchor=pay_anchor)
    return monthly_draft_dates(start, last, day_of_month)


# --- Status ---------------------------------------------------------------------------------------------


class TermStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    GRACE = "grace"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # a paid-up term whose year is over


def amount_required_by(schedule: list[tuple[date, Decimal]], total: Decimal, day: date) -> Decimal:
    """What should have been paid by `day`: the whole amount for an annual payment, the installments
    due so far for a plan."""
    if not schedule:
        return total
    return sum((amount for due, amount in schedule if due <= day), Decimal("0"))


def term_status(*, start: date, end: date, cancelled: bool, renewal: bool, amount_due: Decimal,
                paid: Decimal, required_now: Decimal, today: date, grace_days: int) -> TermStatus:
    """The one place a term's status comes from. `required_now` is what should be paid by today
    (see amount_required_by); a plan in good standing is active even before it is paid in full."""
    if cancelled:
        return TermStatus.CANCELLED
    in_good_standing = paid >= amount_due or (paid > 0 and paid >= required_now)
    if in_good_standing:
        return TermStatus.EXPIRED if today > end else TermStatus.ACTIVE
    if today <= start:
        return TermStatus.PENDING
    if today <= start + timedelta(days=grace_days):
        return TermStatus.GRACE if renewal else TermStatus.PENDING
    return TermStatus.LAPSED


def renewal_window_opens(term_end: date, window_days: int) -> date:
    return term_end - timedelta(days=window_days)


def is_renewal_window_open(term_end: date, window_days: int, grace_days: int, today: date) -> bool:
    return renewal_window_opens(term_end, window_days) <= today <= term_end + timedelta(days=grace_days)


def notice_date(term_end: date, offset_days: int) -> date:
    """A renewal notice's day: negative offsets before the term ends, 0 on its last day, positive after."""
    return term_end + timedelta(days=offset_days)


def year_label(year: int) -> str:
    """A membership year as members read it: 2025 is "2025-26"."""
    return f"{year}-{str(year + 1)[-2:]}"


# --- Balance ----------------------------------------------------------------------------------------------


def term_balance(*, amount_due: Decimal, paid: Decimal) -> Decimal:
    """What is still owed on a term: its dues less what was paid (refunds count negative, credits positive;
    scheduled and pending payments are not paid). Never below zero: an overpayment leaves nothing owed."""
    return max(amount_due - paid, Decimal("0"))


def payment_fits(*, amount: Decimal, balance: Decimal, in_flight: Decimal = Decimal("0")) -> bool:
    """May a new payment of `amount` be taken, with `in_flight` already pending on the same term?"""
    return amount <= balance - in_flight
