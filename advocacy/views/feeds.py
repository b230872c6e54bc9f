"""A director's private iCal feed: the page where they make, copy and revoke its address, and the feed itself.

The feed answers without a session (calendar apps have none): the secret token in its address is the key,
so an unknown or revoked token answers 404 and says nothing. It lists the open deadlines and the hearings
of the cases the director works as the case's director: case number, step, date and how the date was
computed; never a private note, the facts or a member's details. Each event's UID is fixed by the row it
comes from, so a calendar app updates an event when a date moves instead of adding another.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from icalendar import Calendar, Event

from advocacy.models import CalendarFeedToken, CaseEvent, GrievanceCase
from advocacy.rules import cases_for_staff, works_cases
from advocacy.selectors.caseload import open_deadlines
from advocacy.services.feeds import calendar_feed_create, calendar_feed_revoke
from advocacy.views.common import case_worker_required
from mae_portal.audit import client_ip

UID_DOMAIN = "cases.mae-portal"
TOUCH_EVERY = timedelta(hours=1)  # how often a feed's last use is written down (not on every poll)


def feed_url(token: CalendarFeedToken) -> str:
    return settings.SITE_URL + reverse("advocacy:calendar_feed", args=[token.token])


@require_http_methods(["GET", "POST"])
@case_worker_required
def feed_settings(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            calendar_feed_create(user=request.user, ip=client_ip(request))
            messages.success(request, "Your calendar feed address is ready. Copy it into your calendar app.")
        elif action == "revoke":
            if calendar_feed_revoke(user=request.user, ip=client_ip(request)):
                messages.success(request, "The old address no longer works. Calendars using it stop updating.")
        elif action == "replace":
            calendar_feed_revoke(user=request.user, ip=client_ip(request))
            calendar_feed_create(user=request.user, ip=client_ip(request))
            messages.success(request, "You have a new address; the old one no longer works.")
        return redirect("advocacy:feed_settings")
    token = CalendarFeedToken.objects.filter(user=request.user).first()
    return render(request, "advocacy/feeds/settings.html", {"token": token, "url": feed_url(token) if token else ""})


def _cases_of(user):
    """The cases the user is the director of and still works (a director moved to another region loses them)."""
    return cases_for_staff(user).filter(director=user).exclude(status=GrievanceCase.Status.CLOSED)


def calendar_for(user) -> bytes:
    """The feed's iCalendar text: open deadlines and hearings of the user's cases (two queries)."""
    cases = _cases_of(user).values("pk")
    calendar = Calendar()
    calendar.add("prodid", "-//Mississippi Association of Educators//Member Portal case calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "MAE case deadlines")
    # Plain values, not model instances: a director's feed has hundreds of events, polled all day.
    deadlines = (open_deadlines().filter(case__in=cases).order_by("due_on", "pk")
                 .values("pk", "due_on", "updated_at", "explanation", "step__name", "step__consequence",
                         "case__filed_on", "case__sequence", "case__title", "case__district__name"))
    for deadline in deadlines:
        number = _number(deadline)
        event = _all_day(f"deadline-{deadline['pk']}", deadline["due_on"], stamp=deadline["updated_at"],
                         summary=f"{number} {deadline['step__name']} due")
        event.add("description", f"{deadline['explanation']}\nIf missed: {deadline['step__consequence']}\n"
                                 f"{deadline['case__title']}, {deadline['case__district__name']}")
        event.add("categories", ["Deadline"])
        calendar.add_component(event)
    hearings = (CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.HEARING_SCHEDULED)
                .order_by("occurred_on", "pk")
                .values("pk", "occurred_on", "recorded_at", "case__filed_on", "case__sequence", "case__title",
                        "case__district__name"))
    for hearing in hearings:
        event = _all_day(f"hearing-{hearing['pk']}", hearing["occurred_on"], stamp=hearing["recorded_at"],
                         summary=f"{_number(hearing)} hearing")
        event.add("description", f"Hearing: {hearing['case__title']}, {hearing['case__district__name']}")
        event.add("categories", ["Hearing"])
        calendar.add_component(event)
    return calendar.to_ical()


def _number(row) -> str:
    return f"{row['case__filed_on'].year}-{row['case__sequence']:04d}"  # as GrievanceCase.number


def _all_day(key, day, *, stamp, summary) -> Event:
    event = Event()
    event.add("uid", f"{key}@{UID_DOMAIN}")
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    return event


@require_GET
def calendar_feed(request, token):
    """The feed: no session, the token is the key; 404 for an unknown or revoked one."""
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not works_cases(feed.user):
        raise Http404("No such calendar.")
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > TOUCH_EVERY:
        CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=now)
    response = HttpResponse(calendar_for(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mae-cases.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

