"""Dates of the award as Mississippi reads them: in Central time, spelled out, whatever the season.

Pure functions: they take the moments and the rules as arguments and touch no clock and no database."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

MISSISSIPPI = ZoneInfo("America/Chicago")


def _clock(moment: datetime) -> str:
    # "11:59 p.m.", "8 a.m.", "noon", "midnight" (AP style, as MAE writes).
    if moment.hour == 12 and moment.minute == 0:
        return "noon"
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'a.m.' if moment.hour < 12 else 'p.m.'}"


def mississippi_time(moment: datetime) -> str:
    """'Sunday, January 31, 2027 at 11:59 p.m. Central': the moment in Mississippi time (CST in winter, CDT
    in summer: both are 'Central' to the reader)."""
    local = moment.astimezone(MISSISSIPPI)
    return f"{mississippi_day(local.date())} at {_clock(local)} Central"


def mississippi_day(day: date) -> str:
    """'Sunday, January 31, 2027'."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


# The cycle's dates in the order they must come, each with the words an error uses.
DATE_ORDER = [
    ("nominations_open_at", "nominations open"),
    ("nominations_close_at", "nominations close"),
    ("screening_ends_on", "screening ends"),
    ("review_opens_on", "review opens"),
    ("review_closes_on", "review closes"),
    ("finalists_on", "finalists are named"),
    ("winner_on", "the winner is announced"),
]


def _as_day(value):
    return value.astimezone(MISSISSIPPI).date() if isinstance(value, datetime) else value


def cycle_date_errors(dates: dict) -> dict[str, str]:
    """{field: message} for each date that comes before the one it must follow (the error sits on the later
    field). Nominations must close after they open (to the minute); every later step may fall on the same day
    as the one before it, but not earlier. Missing dates are skipped (the form reports them)."""
    errors = {}
    opens, closes = dates.get("nominations_open_at"), dates.get("nominations_close_at")
    if opens is not None and closes is not None and closes <= opens:
        errors["nominations_close_at"] = "Nominations must close after they open."
    previous = None
    for name, words in DATE_ORDER[1:]:
        value = _as_day(dates.get(name))
        if value is None:
            continue
        if previous is not None and value < previous[1] and name not in errors:
            errors[name] = f"This date must not be before the day {previous[0]} ({mississippi_day(previous[1])})."
        previous = (words, value)
    return errors
