"""The portal's one business calendar: which days offices are open, and counting days over them.

A day is closed when it is a Saturday or a Sunday, a Mississippi state holiday (the `holidays` package,
`holidays.US(subdiv="MS")`: the federal holidays Mississippi keeps plus its own, such as Confederate Memorial
Day and the joint Martin Luther King Jr. and Robert E. Lee birthdays, with their observed days), or a
closure day passed in (a district's snow day, entered by staff: see members.selectors.calendar.business_calendar_for).

Pure: no database, no clock. Every function takes the dates it works on.

Deadlines counted under Miss. Code Ann. section 1-3-67 use it as follows (case deadlines will):

- the day of the event is excluded and the last day included: `add_calendar_days(event, n)` is event + n;
- a last day that falls on a closed day runs to the next open day: `roll="forward"` (the default);
- a limit counted backward from an event ("at least 10 days before the hearing") moves earlier when it lands
  on a closed day, never later: `add_calendar_days(hearing, -10, roll="backward")`;
- a period stated in working days counts open days only, again excluding the event day:
  `add_working_days(event, n)`.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Literal

import holidays

Roll = Literal["forward", "backward"] | None
ONE_DAY = timedelta(days=1)
WEEKDAY_NAMES = {5: "Saturday", 6: "Sunday"}


class BusinessCalendar:
    """Weekends, Mississippi state holidays and the given closure days are closed; every other day is open.

    `closures` maps a day to its reason ("snow day"). `years` only pre-computes holidays for those years;
    any other year is computed when first asked about.
    """

    def __init__(self, closures: Mapping[date, str] | None = None, *, years: Iterable[int] = ()):
        self._closures = dict(closures or {})
        self._holidays = holidays.US(subdiv="MS", years=list(years), expand=True)

    def closed_reason(self, day: date) -> str | None:
        """Why offices are closed that day ("Saturday", "Thanksgiving Day", "district closure: snow day"),
        or None when they are open. A weekend wins over a holiday, and a holiday over a closure."""
        if day.weekday() in WEEKDAY_NAMES:
            return WEEKDAY_NAMES[day.weekday()]
        holiday = self._holidays.get(day)
        if holiday:
            return holiday
        if day in self._closures:
            return f"district closure: {self._closures[day]}"
        return None

    def is_open(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def next_open_day(self, day: date) -> date:
        """`day` itself when open, else the first open day after it."""
        while not self.is_open(day):
            day += ONE_DAY
        return day

    def previous_open_day(self, day: date) -> date:
        """`day` itself when open, else the last open day before it."""
        while not self.is_open(day):
            day -= ONE_DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th open day after `start` (before it when n is negative); `start` itself is not counted,
        whether open or not. n = 0 gives `start` unchanged."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_open(day):
                remaining -= 1
        return day

    def add_calendar_days(self, start: date, n: int, *, roll: Roll = "forward") -> date:
        """`start` + n days (the start day excluded, the last day included, as section 1-3-67 counts), then,
        when that day is closed, moved to the next open day (roll="forward"), the previous one
        (roll="backward", for limits counted backward from an event) or left as is (roll=None)."""
        day = start + timedelta(days=n)
        if roll == "forward":
            return self.next_open_day(day)
        if roll == "backward":
            return self.previous_open_day(day)
        if roll is None:
            return day
        raise ValueError(f"roll must be 'forward', 'backward' or None, not {roll!r}")
