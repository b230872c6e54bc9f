"""The deadline engine's date maths: from a step's rule and the day its count starts to a due date, with the
sentence that explains it. Pure: no database, no clock (a "today" is always passed in).

How days are counted (Miss. Code Ann. 1-3-67; Parkman v. Mississippi State Highway Commission, 250 So. 2d
637 (Miss. 1971)):

- the day of the event is excluded and the last day included;
- calendar days: every day counts; when the last day of a forward limit falls on a day the office is closed
  (a weekend, a Mississippi legal holiday, a district closure), the limit runs to the next open day;
- working days: only open days count (the BusinessCalendar's open days), so the last day is always open;
- school days: open days inside one of the district's school years and outside its breaks;
- a limit counted backward from an event ("at least 14 days before the hearing") moves earlier when it lands
  on a closed day, never later: the date shown is the safe one.

The explanation names every day that changed the answer (a holiday skipped, a weekend rolled over), so a
director can check the date by hand.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from mae_portal.calendar import BusinessCalendar

ONE_DAY = timedelta(days=1)
CALENDAR, WORKING, SCHOOL = "calendar", "working", "school"
AFTER, BEFORE = "after", "before"
UNIT_WORDS = {CALENDAR: "calendar day", WORKING: "working day", SCHOOL: "school day"}
STATUTE = "Miss. Code 1-3-67"
# Counting never runs further than this past the last day asked for: a school calendar with no school
# year ahead fails loudly instead of looping.
MAX_SPAN = timedelta(days=800)


class DeadlineError(ValueError):
    """A due date that cannot be computed (no school year known for the days to count, a bad rule)."""


@dataclass(frozen=True)
class Rule:
    """What the engine needs of a step (advocacy.models.StepRule has the same attributes)."""

    days: int
    unit: str = CALENDAR
    direction: str = AFTER
    party: str = ""


@dataclass(frozen=True)
class SchoolCalendar:
    """A district's school years ((first day, last day)) and breaks ((first day, last day, reason))."""

    years: tuple[tuple[date, date], ...] = ()
    breaks: tuple[tuple[date, date, str], ...] = ()

    @classmethod
    def of(cls, years: Iterable, breaks: Iterable) -> "SchoolCalendar":
        """From rows with first_day/last_day (and reason for breaks): SchoolYear and SchoolBreak."""
        return cls(years=tuple(sorted((y.first_day, y.last_day) for y in years)),
                   breaks=tuple(sorted((b.first_day, b.last_day, b.reason) for b in breaks)))

    def no_school_reason(self, day: date) -> str | None:
        """Why there is no school that day apart from the office being closed, or None on a school day."""
        for first, last, reason in self.breaks:
            if first <= day <= last:
                return f"school break: {reason}"
        if not any(first <= day <= last for first, last in self.years):
            return "outside the school year"
        return None

    def last_known_day(self) -> date | None:
        return max((last for _, last in self.years), default=None)

    def first_known_day(self) -> date | None:
        return min((first for first, _ in self.years), default=None)


@dataclass(frozen=True)
class Due:
    """A computed due date. `counted_to` is the day the count itself reached (before any roll);
    `skipped` the closed or no-school days that did not count or that the date rolled over, with why."""

    due: date
    explanation: str
    counted_to: date
    skipped: tuple[tuple[date, str], ...] = field(default=())

    @property
    def rolled(self) -> bool:
        return self.due != self.counted_to


def day_label(day: date, *, year: bool = True) -> str:
    """"Mon Mar 2, 2026" (or "Mon Mar 2" without the year)."""
    text = f"{day:%a %b} {day.day}"
    return f"{text}, {day.year}" if year else text


def _period(days: int, unit: str) -> str:
    word = UNIT_WORDS[unit]
    return f"{days} {word}{'' if days == 1 else 's'}"


def _no_day_reason(day: date, calendar: BusinessCalendar, school: SchoolCalendar | None, unit: str) -> str | None:
    """Why `day` does not count in `unit` (None: it counts). Calendar days all count."""
    if unit == CALENDAR:
        return None
    if unit == SCHOOL:
        # A break or the summer is named as such, not as the weekends and holidays inside it.
        return school.no_school_reason(day) or calendar.closed_reason(day)
    return calendar.closed_reason(day)


def _count(anchor: date, days: int, unit: str, step: int, calendar: BusinessCalendar,
           school: SchoolCalendar | None) -> tuple[date, list[tuple[date, str]]]:
    """Count `days` counting days from `anchor` (excluded), forward (step=1) or backward (step=-1)."""
    if unit == CALENDAR:
        return anchor + step * days * ONE_DAY, []
    if unit == SCHOOL:
        if school is None or not school.years:
            raise DeadlineError("School days cannot be counted: the district has no school year entered. "
                                "Add its school years in the admin, or override the date with a reason.")
        edge = school.last_known_day() if step > 0 else school.first_known_day()
    day, remaining, skipped = anchor, days, []
    limit = anchor + step * (days * ONE_DAY + MAX_SPAN)
    while remaining:
        day += step * ONE_DAY
        if unit == SCHOOL and (day > edge if step > 0 else day < edge):
            raise DeadlineError(f"School days cannot be counted past {day_label(edge)}: no later school year is "
                                "entered for the district. Add it in the admin, or override the date with a reason."
                                if step > 0 else
                                f"School days cannot be counted before {day_label(edge)}: no earlier school year "
                                "is entered for the district.")
        if (day > limit) if step > 0 else (day < limit):  # pragma: no cover - a calendar closed for years
            raise DeadlineError("No open day was found to count.")
        reason = _no_day_reason(day, calendar, school, unit)
        if reason is None:
            remaining -= 1
        else:
            skipped.append((day, reason))
    return day, skipped


def _roll(day: date, step: int, calendar: BusinessCalendar) -> tuple[date, list[tuple[date, str]]]:
    """The day itself when the office is open, else the next (step=1) or previous (step=-1) open day."""
    rolled = []
    while (reason := calendar.closed_reason(day)) is not None:
        rolled.append((day, reason))
        day += step * ONE_DAY
    return day, rolled


def _runs(skipped: list[tuple[date, str]], *, year: bool) -> list[str]:
    """The days that did not count, weekends left out (said once), consecutive days with one reason joined:
    "Thu Nov 26 (Thanksgiving Day)", "Mon Dec 21 to Fri Jan 1 (school break: winter break)"."""
    runs: list[list] = []
    for day, reason in skipped:
        if reason in ("Saturday", "Sunday"):
            continue
        if runs and runs[-1][2] == reason and all(
                (runs[-1][1] + n * ONE_DAY).weekday() >= 5 for n in range(1, (day - runs[-1][1]).days)):
            runs[-1][1] = day
        else:
            runs.append([day, day, reason])
    return [f"{day_label(first, year=year)} ({reason})" if first == last
            else f"{day_label(first, year=year)} to {day_label(last, year=year)} ({reason})"
            for first, last, reason in runs]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _not_counted(skipped: list[tuple[date, str]], *, year: bool) -> str:
    """"not counting weekends, Thu Nov 26 (Thanksgiving Day) and ...", or "" when every day counted."""
    parts = ["weekends"] if any(reason in ("Saturday", "Sunday") for _, reason in skipped) else []
    parts += _runs(skipped, year=year)
    return f"not counting {_join(parts)}" if parts else ""


def _reason_phrase(reason: str) -> str:
    """"a Saturday", "Thanksgiving Day", "a district closure (snow day)"."""
    if reason in ("Saturday", "Sunday"):
        return f"a {reason}"
    if reason.startswith("district closure: "):
        return f"a district closure ({reason.removeprefix('district closure: ')})"
    return reason


def _closed_days(rolled: list[tuple[date, str]], *, year: bool) -> str:
    """"Sat Mar 14, a Saturday: the office is closed (and Sun Mar 15, a Sunday)"."""
    (first, reason), rest = rolled[0], rolled[1:]
    text = f"{day_label(first, year=year)}, {_reason_phrase(reason)}: the office is closed"
    if rest:
        text += " (and " + "; ".join(f"{day_label(day, year=year)}, {_reason_phrase(why)}" for day, why in rest) + ")"
    return text


def compute_due(rule, anchor: date, calendar: BusinessCalendar, *, school: SchoolCalendar | None = None,
                anchor_label: str = "the event") -> Due:
    """The due date of `rule` (days, unit, direction: a Rule or a StepRule) counted from `anchor`, the day of
    `anchor_label` ("notice received", "the hearing"), with its explanation."""
    days, unit, direction = int(rule.days), rule.unit, rule.direction
    if unit not in UNIT_WORDS:
        raise DeadlineError(f"Unknown unit of days: {unit!r}.")
    if direction not in (AFTER, BEFORE):
        raise DeadlineError(f"Unknown direction: {direction!r}.")
    if days < 0:
        raise DeadlineError("A time limit cannot be a negative number of days.")
    step = 1 if direction == AFTER else -1
    counted_to, skipped = _count(anchor, days, unit, step, calendar, school)
    due, rolled = _roll(counted_to, step, calendar)
    same_year = due.year == anchor.year == counted_to.year
    lead = (f"{_period(days, unit)} after {anchor_label} {day_label(anchor)}" if direction == AFTER
            else f"at least {_period(days, unit)} before {anchor_label} {day_label(anchor)}")
    not_counted = _not_counted(skipped, year=not same_year)
    if not_counted:
        lead += f" ({not_counted})"
    if not rolled:
        text = f"{lead} is {day_label(due, year=not same_year)}."
    elif direction == AFTER:
        text = (f"{lead} is {_closed_days(rolled, year=not same_year)}, so the deadline runs to the next open day, "
                f"{day_label(due, year=not same_year)} ({STATUTE}).")
    else:
        text = (f"{lead} is {_closed_days(rolled, year=not same_year)}, so the safe date is the open day before, "
                f"{day_label(due, year=not same_year)}: a limit counted back from {anchor_label} moves earlier, "
                "never later.")
    return Due(due=due, explanation=text, counted_to=counted_to, skipped=tuple(skipped + rolled))


def days_left(due: date, today: date) -> int:
    """Days from `today` to `due`: 0 on the day, negative once it has passed."""
    return (due - today).days


def is_overdue(due: date, today: date) -> bool:
    """An open deadline whose due day has passed (the due day itself is still in time)."""
    return due < today
