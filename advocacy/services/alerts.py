"""The daily deadline alerts: each director is emailed the deadlines of their cases that enter an alert
threshold (AdvocacyPolicy.alert_days, e.g. 7, 3 and 1 days before), fall due today, or are overdue, once per
deadline, threshold and due date.

The DeadlineAlert rows are the memory: inserted with their unique key (deadline, threshold, recipient, due),
so a rerun finds them and sends nothing new, and a moved date (a new `due`) alerts again. The rows and the
emails are written in one transaction: a run either records and queues everything or nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from hashlib import sha256

from django.db import connection, transaction
from django.db.models.functions import Coalesce

from advocacy.models import AdvocacyPolicy, CaseDeadline, DeadlineAlert, GrievanceCase
from advocacy.selectors.caseload import case_page_url
from mae_portal.emails import email_renderer, queue_rendered_emails

ON_THE_DAY = 0
OVERDUE = -1
EMAIL_TEMPLATE = "advocacy-deadlines"


def alert_threshold(days_left: int, thresholds: list[int]) -> int | None:
    """The threshold a deadline `days_left` days away has reached: -1 overdue, 0 due today, else the smallest
    configured threshold at or above `days_left`; None when it is further away than every threshold."""
    if days_left < 0:
        return OVERDUE
    if days_left == 0:
        return ON_THE_DAY
    reached = [threshold for threshold in thresholds if threshold >= days_left]
    return min(reached) if reached else None


@dataclass(frozen=True)
class Alert:
    deadline: CaseDeadline
    threshold: int
    due: date
    days_left: int


def _due_expression():
    return Coalesce("override_due", "extended_due", "computed_due")


def deadlines_to_alert(*, today: date, thresholds: list[int]) -> list[Alert]:
    """Every open deadline of a case not closed that has reached a threshold today, with its case, step and
    director loaded (one query)."""
    horizon = today + timedelta(days=max([1, *thresholds]))
    deadlines = (CaseDeadline.objects.filter(status=CaseDeadline.Status.OPEN)
                 .exclude(case__status=GrievanceCase.Status.CLOSED).filter(case__director__is_active=True)
                 .annotate(due_on=_due_expression()).filter(due_on__lte=horizon)
                 .select_related("case__director", "case__district", "step")
                 .order_by("due_on", "case__sequence", "step__order"))
    alerts = []
    for deadline in deadlines:
        days_left = (deadline.due_on - today).days
        threshold = alert_threshold(days_left, thresholds)
        if threshold is not None:
            alerts.append(Alert(deadline=deadline, threshold=threshold, due=deadline.due_on, days_left=days_left))
    return alerts


def _insert_new(alerts: list[Alert], *, today: date) -> set[tuple[int, int, date]]:
    """Insert the alerts' rows, skipping those already there; the (deadline, threshold, due) of the rows this
    call inserted. ON CONFLICT ... RETURNING tells exactly which are new, a concurrent run's rows included."""
    if not alerts:
        return set()
    table = DeadlineAlert._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(alerts))
    params = []
    for alert in alerts:
        params += [alert.deadline.pk, alert.threshold, alert.deadline.case.director_id, alert.due, today]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (deadline_id, threshold, recipient_id, due, sent_on) VALUES {values} "
            "ON CONFLICT (deadline_id, threshold, recipient_id, due) DO NOTHING RETURNING deadline_id, threshold, due",
            params)
        return {(deadline_id, threshold, due) for deadline_id, threshold, due in cursor.fetchall()}


def _line(alert: Alert) -> dict:
    deadline = alert.deadline
    case = deadline.case
    if alert.days_left < 0:
        when = f"overdue by {-alert.days_left} day{'s' if alert.days_left != -1 else ''}"
    elif alert.days_left == 0:
        when = "due today"
    else:
        when = f"due in {alert.days_left} day{'s' if alert.days_left != 1 else ''}"
    return {"case_number": case.number, "url": case_page_url(case.pk), "case_title": case.title, "district": case.district.name,
            "step": deadline.step.name, "due": alert.due, "when": when, "overdue": alert.days_left < 0,
            "explanation": deadline.explanation, "consequence": deadline.step.consequence}


def _thresholds_text(thresholds: list[int]) -> str:
    days = sorted(thresholds, reverse=True)
    if not days:
        return "no days"
    listed = ", ".join(str(day) for day in days[:-1]) + (" and " if len(days) > 1 else "") + str(days[-1])
    return f"{listed} day{'s' if days != [1] else ''}"


@transaction.atomic
def deadline_alerts_send(*, today: date) -> dict:
    """Record and email today's new deadline alerts: one email per director listing theirs. Returns
    {"alerts": new alerts recorded, "emails": emails queued}. Run twice, the second run records and sends
    nothing. An email holds the case number and title, the step, the date and how it was computed: never a
    private note."""
    thresholds = AdvocacyPolicy.current().alert_thresholds
    alerts = deadlines_to_alert(today=today, thresholds=thresholds)
    new = _insert_new(alerts, today=today)
    by_director = defaultdict(list)
    for alert in alerts:
        if (alert.deadline.pk, alert.threshold, alert.due) in new:
            by_director[alert.deadline.case.director].append(alert)
    render = email_renderer(EMAIL_TEMPLATE)
    emails = []
    for director, theirs in sorted(by_director.items(), key=lambda item: item[0].pk):
        lines = [_line(alert) for alert in theirs]
        overdue = [line for line in lines if line["overdue"]]
        subject, text, html = render({
            "director_name": director.get_full_name() or director.email, "today": today,
            "overdue": overdue, "upcoming": [line for line in lines if not line["overdue"]],
            "count": len(lines), "thresholds_text": _thresholds_text(thresholds),
        })
        # One email per director per day; a later run the same day that finds new alerts (a deadline added
        # since) sends those in an email of their own rather than losing them to the first one's key.
        digest = sha256(",".join(f"{a.deadline.pk}:{a.threshold}:{a.due}" for a in theirs).encode()).hexdigest()[:12]
        emails.append({"idempotency_key": f"advocacy-deadlines:{director.pk}:{today.isoformat()}:{digest}",
                       "template_name": EMAIL_TEMPLATE, "to": director.email, "subject": subject, "text": text,
                       "html": html})
    queue_rendered_emails(emails)
    return {"alerts": len(new), "emails": len(emails)}
