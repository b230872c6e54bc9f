"""The core business calendar (mae_portal/calendar.py): tables of explicit dates, no database, no clock."""

from datetime import date

import pytest

from mae_portal.calendar import BusinessCalendar

D = date
CAL = BusinessCalendar(years=[2025, 2026, 2027, 2028])
SNOW = BusinessCalendar({D(2027, 1, 12): "snow day", D(2027, 1, 13): "snow day", D(2026, 11, 25): "board holiday"})


# Every Mississippi state holiday of 2026 and 2027 the calendar closes on, observed days included.
MS_HOLIDAYS = [
    (D(2026, 1, 1), "New Year's Day"),
    (D(2026, 1, 19), "Dr. Martin Luther King Jr. and Robert E. Lee's Birthdays"),
    (D(2026, 2, 16), "Washington's Birthday"),
    (D(2026, 4, 27), "Confederate Memorial Day"),
    (D(2026, 5, 25), "Memorial Day"),
    (D(2026, 6, 19), "Juneteenth National Independence Day"),
    (D(2026, 7, 3), "Independence Day (observed)"),
    (D(2026, 9, 7), "Labor Day"),
    (D(2026, 11, 11), "Veterans Day"),
    (D(2026, 11, 26), "Thanksgiving Day"),
    (D(2026, 12, 25), "Christmas Day"),
    (D(2027, 1, 1), "New Year's Day"),
    (D(2027, 1, 18), "Dr. Martin Luther King Jr. and Robert E. Lee's Birthdays"),
    (D(2027, 2, 15), "Washington's Birthday"),
    (D(2027, 4, 26), "Confederate Memorial Day"),
    (D(2027, 5, 31), "Memorial Day"),
    (D(2027, 6, 18), "Juneteenth National Independence Day (observed)"),
    (D(2027, 7, 5), "Independence Day (observed)"),
    (D(2027, 9, 6), "Labor Day"),
    (D(2027, 11, 11), "Veterans Day"),
    (D(2027, 11, 25), "Thanksgiving Day"),
    (D(2027, 12, 24), "Christmas Day (observed)"),
    (D(2027, 12, 31), "New Year's Day (observed)"),
]


@pytest.mark.parametrize(("day", "name"), MS_HOLIDAYS)
def test_mississippi_state_holidays_are_closed(day, name):
    assert CAL.closed_reason(day) == name
    assert not CAL.is_open(day)


@pytest.mark.parametrize(("day", "reason"), [
    (D(2026, 7, 4), "Saturday"),  # Independence Day on a Saturday: the weekend is the reason, Friday is observed
    (D(2027, 7, 4), "Sunday"),
    (D(2027, 12, 25), "Saturday"),
    (D(2026, 11, 28), "Saturday"),
    (D(2026, 11, 29), "Sunday"),
])
def test_weekends_are_closed_and_named(day, reason):
    assert CAL.closed_reason(day) == reason


@pytest.mark.parametrize("day", [
    D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 25), D(2026, 11, 27),  # Thanksgiving week, Friday after included
    D(2026, 12, 21), D(2026, 12, 22), D(2026, 12, 23), D(2026, 12, 24), D(2026, 12, 28), D(2026, 12, 31),
    D(2026, 10, 12),  # Columbus Day is not a Mississippi state holiday
    D(2026, 3, 8), D(2026, 11, 1),  # DST starts / ends on Sundays: closed for being Sundays, the next days open
    D(2026, 3, 9), D(2026, 11, 2), D(2027, 3, 15), D(2027, 11, 8),
])
def test_ordinary_weekdays_are_open(day):
    if day.weekday() >= 5:
        assert CAL.closed_reason(day) == "Sunday"
    else:
        assert CAL.is_open(day) and CAL.closed_reason(day) is None


def test_closures_are_closed_with_their_reason_and_only_in_their_calendar():
    assert SNOW.closed_reason(D(2027, 1, 12)) == "district closure: snow day"
    assert SNOW.closed_reason(D(2026, 11, 25)) == "district closure: board holiday"
    assert CAL.is_open(D(2027, 1, 12))
    # A closure on a holiday or a weekend keeps the holiday's or the weekend's name.
    both = BusinessCalendar({D(2026, 11, 26): "storm", D(2026, 11, 28): "storm"})
    assert both.closed_reason(D(2026, 11, 26)) == "Thanksgiving Day"
    assert both.closed_reason(D(2026, 11, 28)) == "Saturday"


@pytest.mark.parametrize(("calendar", "day", "next_open", "previous_open"), [
    (CAL, D(2026, 11, 26), D(2026, 11, 27), D(2026, 11, 25)),  # Thanksgiving
    (SNOW, D(2026, 11, 26), D(2026, 11, 27), D(2026, 11, 24)),  # the district also closed the day before
    (CAL, D(2026, 12, 25), D(2026, 12, 28), D(2026, 12, 24)),  # Christmas Friday, then the weekend
    (CAL, D(2027, 12, 24), D(2027, 12, 27), D(2027, 12, 23)),  # Christmas observed Friday
    (CAL, D(2027, 12, 31), D(2028, 1, 3), D(2027, 12, 30)),  # New Year's observed on Dec 31, across the year end
    (CAL, D(2026, 10, 31), D(2026, 11, 2), D(2026, 10, 30)),  # month end on a Saturday
    (CAL, D(2027, 1, 18), D(2027, 1, 19), D(2027, 1, 15)),  # MLK/Lee day after a weekend
    (SNOW, D(2027, 1, 12), D(2027, 1, 14), D(2027, 1, 11)),  # two snow days
    (CAL, D(2026, 3, 8), D(2026, 3, 9), D(2026, 3, 6)),  # DST starts
    (CAL, D(2026, 11, 1), D(2026, 11, 2), D(2026, 10, 30)),  # DST ends
    (CAL, D(2026, 11, 24), D(2026, 11, 24), D(2026, 11, 24)),  # an open day is its own next and previous
])
def test_next_and_previous_open_day(calendar, day, next_open, previous_open):
    assert calendar.next_open_day(day) == next_open
    assert calendar.previous_open_day(day) == previous_open


@pytest.mark.parametrize(("calendar", "start", "n", "expected"), [
    (CAL, D(2026, 11, 23), 3, D(2026, 11, 27)),  # Tue, Wed, (Thanksgiving), Fri
    (CAL, D(2026, 11, 23), 5, D(2026, 12, 1)),
    (SNOW, D(2026, 11, 23), 3, D(2026, 11, 30)),  # the district closed Wednesday too
    (CAL, D(2026, 12, 21), 5, D(2026, 12, 29)),  # Christmas week
    (CAL, D(2026, 12, 31), 1, D(2027, 1, 4)),  # New Year's Day, then a weekend: across the year end
    (CAL, D(2027, 1, 29), 1, D(2027, 2, 1)),  # month end
    (CAL, D(2026, 11, 28), 1, D(2026, 11, 30)),  # from a closed day: that day is not counted
    (CAL, D(2026, 3, 6), 1, D(2026, 3, 9)),  # over the DST change
    (CAL, D(2026, 10, 30), 10, D(2026, 11, 16)),  # over the DST change and Veterans Day
    (SNOW, D(2027, 1, 8), 5, D(2027, 1, 20)),  # Mon, two snow days, Thu, Fri, MLK/Lee day, Tue, Wed
    (CAL, D(2026, 11, 27), -1, D(2026, 11, 25)),  # negative: back over Thanksgiving
    (CAL, D(2027, 1, 4), -1, D(2026, 12, 31)),  # back across the year end
    (CAL, D(2026, 12, 28), -3, D(2026, 12, 22)),
    (SNOW, D(2027, 1, 14), -2, D(2027, 1, 8)),
    (CAL, D(2026, 11, 28), 0, D(2026, 11, 28)),  # zero leaves the day as it is
])
def test_add_working_days(calendar, start, n, expected):
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize(("start", "n", "roll", "expected"), [
    # Section 1-3-67: the event day excluded, the last day included; a closed last day runs to the next open one.
    (D(2026, 11, 16), 10, "forward", D(2026, 11, 27)),  # lands on Thanksgiving -> Friday
    (D(2026, 11, 16), 10, None, D(2026, 11, 26)),
    (D(2026, 12, 15), 10, "forward", D(2026, 12, 28)),  # Christmas Friday -> Monday
    (D(2027, 12, 1), 30, "forward", D(2028, 1, 3)),  # Dec 31 is New Year's Day observed, then a weekend
    (D(2026, 10, 1), 30, "forward", D(2026, 11, 2)),  # Oct 31 a Saturday: month end into November
    (D(2026, 2, 6), 30, "forward", D(2026, 3, 9)),  # Sunday Mar 8, the DST change -> Monday
    (D(2026, 10, 2), 30, "forward", D(2026, 11, 2)),  # Sunday Nov 1, DST ends -> Monday
    (D(2026, 11, 16), 0, "forward", D(2026, 11, 16)),
    # Counted backward ("at least 10 days before"): a closed day moves the limit earlier.
    (D(2026, 12, 7), -11, "backward", D(2026, 11, 25)),  # Thanksgiving -> Wednesday
    (D(2027, 1, 11), -10, "backward", D(2026, 12, 31)),  # Friday Jan 1 -> Dec 31, across the year end
    (D(2026, 11, 9), -8, "backward", D(2026, 10, 30)),  # Saturday Oct 31 -> Friday
    (D(2026, 12, 7), -11, None, D(2026, 11, 26)),
])
def test_add_calendar_days(start, n, roll, expected):
    assert CAL.add_calendar_days(start, n, roll=roll) == expected


def test_add_calendar_days_counts_district_closures_and_refuses_an_unknown_roll():
    assert SNOW.add_calendar_days(D(2027, 1, 2), 10) == D(2027, 1, 14)
    assert SNOW.add_calendar_days(D(2027, 1, 23), -10, roll="backward") == D(2027, 1, 11)
    with pytest.raises(ValueError, match="roll must be"):
        CAL.add_calendar_days(D(2027, 1, 2), 1, roll="sideways")


def test_years_are_only_a_hint():
    # Holidays of a year not named up front are still known.
    assert BusinessCalendar(years=[2026]).closed_reason(D(2030, 11, 28)) == "Thanksgiving Day"
    assert BusinessCalendar().closed_reason(D(2027, 4, 26)) == "Confederate Memorial Day"
