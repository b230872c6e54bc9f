"""advocacy.deadlines: due dates as tables of explicit dates, over the core's business calendar.

Mississippi's legal holidays in 2026-2027 as `holidays.US(subdiv="MS")` gives them (checked first, below):
Thanksgiving Thu Nov 26 2026 (the Friday after is not a state holiday: districts that close enter it as a
closure), Christmas Fri Dec 25 2026, New Year Fri Jan 1 2027, MLK / Robert E. Lee Mon Jan 18 2027,
Confederate Memorial Day Mon Apr 27 2026 and Mon Apr 26 2027, Memorial Day Mon May 31 2027, Independence
Day Sat Jul 4 2026 (observed Fri Jul 3) and Sun Jul 4 2027 (observed Mon Jul 5), Labor Day Mon Sep 7 2026.
"""

from datetime import date

import holidays
import pytest

from advocacy.deadlines import DeadlineError, Rule, SchoolCalendar, compute_due, day_label, days_left, is_overdue
from mae_portal.calendar import BusinessCalendar

D = date
PLAIN = BusinessCalendar(years=[2026, 2027])
THANKSGIVING_FRIDAY = BusinessCalendar({D(2026, 11, 27): "Thanksgiving break"}, years=[2026, 2027])
GOOD_FRIDAY = BusinessCalendar({D(2026, 4, 3): "Good Friday"}, years=[2026])
WINTER_CLOSURE = BusinessCalendar({D(2026, 12, day): "winter break" for day in (21, 22, 23, 24, 28, 29, 30, 31)},
                                  years=[2026, 2027])
SNOW_DAY = BusinessCalendar({D(2027, 1, 19): "snow day"}, years=[2027])
CALENDARS = {"plain": PLAIN, "thanksgiving friday": THANKSGIVING_FRIDAY, "good friday": GOOD_FRIDAY,
             "winter closure": WINTER_CLOSURE, "snow day": SNOW_DAY}
SCHOOL = SchoolCalendar(
    years=((D(2026, 8, 6), D(2027, 5, 21)),),
    breaks=((D(2026, 11, 23), D(2026, 11, 27), "Thanksgiving break"), (D(2026, 12, 21), D(2027, 1, 1), "winter break"),
            (D(2027, 3, 15), D(2027, 3, 19), "spring break")))


def test_mississippi_holidays_the_tables_rely_on():
    ms = holidays.US(subdiv="MS", years=[2026, 2027])
    expected = {
        D(2026, 11, 26): "Thanksgiving", D(2026, 12, 25): "Christmas", D(2027, 1, 1): "New Year",
        D(2027, 1, 18): "Robert E. Lee", D(2026, 4, 27): "Confederate Memorial", D(2027, 4, 26): "Confederate Memorial",
        D(2026, 5, 25): "Memorial", D(2027, 5, 31): "Memorial", D(2026, 7, 3): "Independence",
        D(2027, 7, 5): "Independence", D(2026, 9, 7): "Labor", D(2026, 11, 11): "Veterans",
    }
    for day, name in expected.items():
        assert name in ms.get(day, ""), (day, ms.get(day))
    assert D(2026, 11, 27) not in ms  # the day after Thanksgiving: a district closure, not a state holiday
    assert D(2026, 4, 3) not in ms  # Good Friday 2026 either


# (days, unit, direction, anchor, calendar, due)
TABLE = [
    # calendar days forward: an open last day stands
    (10, "calendar", "after", D(2026, 3, 2), "plain", D(2026, 3, 12)),
    # ... a weekend runs to Monday (1-3-67)
    (10, "calendar", "after", D(2026, 3, 4), "plain", D(2026, 3, 16)),
    # Thanksgiving: to Friday, which the state keeps open; a district closed that Friday: to Monday
    (10, "calendar", "after", D(2026, 11, 16), "plain", D(2026, 11, 27)),
    (10, "calendar", "after", D(2026, 11, 16), "thanksgiving friday", D(2026, 11, 30)),
    # Christmas on a Friday, then the weekend
    (10, "calendar", "after", D(2026, 12, 15), "plain", D(2026, 12, 28)),
    # year end: New Year's Day on a Friday
    (10, "calendar", "after", D(2026, 12, 22), "plain", D(2027, 1, 4)),
    # the joint Martin Luther King Jr. and Robert E. Lee birthdays
    (10, "calendar", "after", D(2027, 1, 8), "plain", D(2027, 1, 19)),
    # Confederate Memorial Day
    (10, "calendar", "after", D(2026, 4, 17), "plain", D(2026, 4, 28)),
    # Memorial Day 2027 at a month end: to June 1
    (10, "calendar", "after", D(2027, 5, 21), "plain", D(2027, 6, 1)),
    # July 4 2026 is a Saturday, observed Friday July 3: both closed
    (10, "calendar", "after", D(2026, 6, 24), "plain", D(2026, 7, 6)),
    (9, "calendar", "after", D(2026, 6, 24), "plain", D(2026, 7, 6)),
    # July 4 2027 is a Sunday, observed Monday July 5
    (10, "calendar", "after", D(2027, 6, 24), "plain", D(2027, 7, 6)),
    # month ends on a weekend
    (10, "calendar", "after", D(2026, 1, 21), "plain", D(2026, 2, 2)),
    (20, "calendar", "after", D(2026, 2, 9), "plain", D(2026, 3, 2)),
    # 37-9-113: 20 days after the board's decision, received on a holiday
    (20, "calendar", "after", D(2026, 4, 27), "plain", D(2026, 5, 18)),
    # daylight-saving changes (Nov 1 2026, Mar 14 2027) change nothing: dates, not hours
    (10, "calendar", "after", D(2026, 10, 29), "plain", D(2026, 11, 9)),
    (5, "calendar", "after", D(2026, 10, 30), "plain", D(2026, 11, 4)),
    (10, "calendar", "after", D(2027, 3, 4), "plain", D(2027, 3, 15)),
    (7, "calendar", "after", D(2027, 3, 10), "plain", D(2027, 3, 17)),
    # zero days on a closed day still lands on an open one
    (0, "calendar", "after", D(2026, 3, 7), "plain", D(2026, 3, 9)),
    # calendar days backward (37-9-109): earlier, never later
    (14, "calendar", "before", D(2026, 4, 17), "plain", D(2026, 4, 3)),
    (14, "calendar", "before", D(2026, 4, 17), "good friday", D(2026, 4, 2)),
    (5, "calendar", "before", D(2026, 4, 17), "plain", D(2026, 4, 10)),  # Sun Apr 12 -> Fri Apr 10
    # a hearing on the Monday after a holiday weekend: 14 days back is Labor Day -> Fri Sep 4
    (14, "calendar", "before", D(2026, 9, 21), "plain", D(2026, 9, 4)),
    (5, "calendar", "before", D(2026, 9, 21), "plain", D(2026, 9, 16)),
    # the Monday after Thanksgiving weekend: 5 days back is the Wednesday before
    (5, "calendar", "before", D(2026, 11, 30), "plain", D(2026, 11, 25)),
    (4, "calendar", "before", D(2026, 12, 29), "plain", D(2026, 12, 24)),  # Christmas -> Dec 24
    # back across the year end: Sat Jan 2, Fri Jan 1 (New Year) -> Thu Dec 31
    (5, "calendar", "before", D(2027, 1, 7), "plain", D(2026, 12, 31)),
    (14, "calendar", "before", D(2027, 1, 7), "plain", D(2026, 12, 24)),
    # working days over Thanksgiving (Friday open, then closed by the district) and Christmas / New Year
    (5, "working", "after", D(2026, 11, 25), "plain", D(2026, 12, 3)),
    (5, "working", "after", D(2026, 11, 25), "thanksgiving friday", D(2026, 12, 4)),
    (10, "working", "after", D(2026, 11, 16), "plain", D(2026, 12, 1)),
    (10, "working", "after", D(2026, 12, 18), "plain", D(2027, 1, 5)),
    (10, "working", "after", D(2026, 12, 18), "winter closure", D(2027, 1, 15)),
    (5, "working", "after", D(2027, 1, 15), "plain", D(2027, 1, 25)),  # MLK / Lee day skipped
    (3, "working", "after", D(2026, 11, 9), "plain", D(2026, 11, 13)),  # Veterans Day skipped
    (5, "working", "before", D(2026, 11, 30), "plain", D(2026, 11, 20)),
    (5, "working", "before", D(2026, 11, 30), "thanksgiving friday", D(2026, 11, 19)),
    # school days: breaks, the summer, holidays and closures do not count
    (10, "school", "after", D(2026, 11, 18), "plain", D(2026, 12, 9)),
    (10, "school", "after", D(2026, 12, 15), "plain", D(2027, 1, 12)),
    (10, "school", "after", D(2026, 7, 15), "plain", D(2026, 8, 19)),
    (5, "school", "after", D(2027, 3, 10), "plain", D(2027, 3, 24)),  # spring break, across Mar 14 (DST)
    (3, "school", "after", D(2027, 1, 15), "plain", D(2027, 1, 21)),
    (3, "school", "after", D(2027, 1, 15), "snow day", D(2027, 1, 22)),
]


@pytest.mark.parametrize(("days", "unit", "direction", "anchor", "calendar", "due"), TABLE,
                         ids=[f"{t[0]}-{t[1]}-{t[2]}-{t[3]}-{t[4]}" for t in TABLE])
def test_due_dates(days, unit, direction, anchor, calendar, due):
    result = compute_due(Rule(days, unit, direction), anchor, CALENDARS[calendar],
                         school=SCHOOL if unit == "school" else None)
    assert result.due == due
    assert CALENDARS[calendar].is_open(result.due)
    if direction == "before":
        assert result.due <= result.counted_to  # never later than the count
    else:
        assert result.due >= result.counted_to
    assert day_label(due, year=due.year != anchor.year or result.counted_to.year != anchor.year) in result.explanation


EXPLANATIONS = [
    (Rule(10), D(2026, 3, 2), PLAIN, "notice received",
     "10 calendar days after notice received Mon Mar 2, 2026 is Thu Mar 12."),
    (Rule(10), D(2026, 3, 4), PLAIN, "notice received",
     "10 calendar days after notice received Wed Mar 4, 2026 is Sat Mar 14, a Saturday: the office is closed "
     "(and Sun Mar 15, a Sunday), so the deadline runs to the next open day, Mon Mar 16 (Miss. Code 1-3-67)."),
    (Rule(14, direction="before"), D(2026, 4, 17), GOOD_FRIDAY, "the hearing",
     "at least 14 calendar days before the hearing Fri Apr 17, 2026 is Fri Apr 3, a district closure (Good Friday): "
     "the office is closed, so the safe date is the open day before, Thu Apr 2: a limit counted back from the "
     "hearing moves earlier, never later."),
    (Rule(5, unit="working"), D(2026, 11, 25), THANKSGIVING_FRIDAY, "the principal's answer received",
     "5 working days after the principal's answer received Wed Nov 25, 2026 (not counting weekends, Thu Nov 26 "
     "(Thanksgiving Day) and Fri Nov 27 (district closure: Thanksgiving break)) is Fri Dec 4."),
    (Rule(10, unit="working"), D(2026, 12, 18), PLAIN, "the superintendent's answer received",
     "10 working days after the superintendent's answer received Fri Dec 18, 2026 (not counting weekends, "
     "Fri Dec 25, 2026 (Christmas Day) and Fri Jan 1, 2027 (New Year's Day)) is Tue Jan 5, 2027."),
    (Rule(14, direction="before"), D(2026, 9, 21), PLAIN, "the hearing",
     "at least 14 calendar days before the hearing Mon Sep 21, 2026 is Mon Sep 7, Labor Day: the office is closed "
     "(and Sun Sep 6, a Sunday; Sat Sep 5, a Saturday), so the safe date is the open day before, Fri Sep 4: "
     "a limit counted back from the hearing moves earlier, never later."),
]


@pytest.mark.parametrize(("rule", "anchor", "calendar", "label", "text"), EXPLANATIONS)
def test_explanations_say_how_the_date_was_counted(rule, anchor, calendar, label, text):
    assert compute_due(rule, anchor, calendar, anchor_label=label).explanation == text


def test_school_days_name_the_breaks_and_the_summer():
    text = compute_due(Rule(10, unit="school"), D(2026, 7, 15), PLAIN, school=SCHOOL, anchor_label="x").explanation
    assert "Thu Jul 16 to Wed Aug 5 (outside the school year)" in text
    text = compute_due(Rule(10, unit="school"), D(2026, 12, 15), PLAIN, school=SCHOOL, anchor_label="x").explanation
    assert "Mon Dec 21, 2026 to Fri Jan 1, 2027 (school break: winter break)" in text
    assert text.endswith("is Tue Jan 12, 2027.")


def test_school_days_refuse_to_count_without_a_school_year():
    with pytest.raises(DeadlineError, match="no school year entered"):
        compute_due(Rule(5, unit="school"), D(2026, 9, 1), PLAIN, school=SchoolCalendar())
    with pytest.raises(DeadlineError, match="past Fri May 21, 2027"):
        compute_due(Rule(10, unit="school"), D(2027, 5, 17), PLAIN, school=SCHOOL)
    with pytest.raises(DeadlineError, match="before Thu Aug 6, 2026"):
        compute_due(Rule(5, unit="school", direction="before"), D(2026, 8, 10), PLAIN, school=SCHOOL)


@pytest.mark.parametrize("rule", [Rule(-1), Rule(3, unit="hours"), Rule(3, direction="around")])
def test_bad_rules_are_refused(rule):
    with pytest.raises(DeadlineError):
        compute_due(rule, D(2026, 3, 2), PLAIN)


def test_a_step_rule_row_works_as_the_rule():
    from advocacy.models import StepRule

    step = StepRule(days=10, unit="calendar", direction="after", party="employee")
    assert compute_due(step, D(2026, 3, 2), PLAIN).due == D(2026, 3, 12)


@pytest.mark.parametrize(("due", "today", "left", "overdue"), [
    (D(2026, 12, 3), D(2026, 12, 1), 2, False),
    (D(2026, 12, 3), D(2026, 12, 3), 0, False),  # the due day itself is in time
    (D(2026, 12, 3), D(2026, 12, 4), -1, True),
    (D(2027, 1, 4), D(2026, 12, 31), 4, False),  # across the year end
    (D(2026, 11, 2), D(2026, 10, 31), 2, False),  # across the end of daylight saving
])
def test_days_left(due, today, left, overdue):
    assert days_left(due, today) == left
    assert is_overdue(due, today) is overdue
