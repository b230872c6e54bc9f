"""A district's business calendar: the core's (weekends, Mississippi holidays) plus the closure days
staff entered for the district."""

from mae_portal.calendar import BusinessCalendar
from members.models import DistrictClosure


def business_calendar_for(district, *, years):
    """The core business calendar with the district's closure days of `years` added, for counting
    deadlines in that district. One query."""
    years = list(years)
    closures = dict(DistrictClosure.objects.filter(district=district, day__year__in=years).values_list("day", "reason"))
    return BusinessCalendar(closures, years=years)
