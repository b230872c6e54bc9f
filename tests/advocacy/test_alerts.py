"""Deadline alerts: which threshold a deadline has reached (a table of dates), a walk through the days before
and after a due date (7, 3 and 1 days before, on the day, overdue, each once), a rerun sending nothing new, a
moved date alerting again, each director getting only their own cases, and no private note in any email."""

from datetime import date, timedelta

import pytest
from django.core import mail

from advocacy.models import AdvocacyPolicy, CaseDeadline, DeadlineAlert, GrievanceCase
from advocacy.services.alerts import alert_threshold, deadline_alerts_send
from advocacy.tasks import send_deadline_alerts
from mae_portal import registry
from mae_portal.models import EmailDelivery
from tests.advocacy.reports_helpers import NOTE_TEXT, make_case, make_deadline

DUE = date(2026, 11, 16)  # a Monday


@pytest.mark.parametrize("days_left, thresholds, expected", [
    (10, [7, 3, 1], None),
    (8, [7, 3, 1], None),
    (7, [7, 3, 1], 7),
    (6, [7, 3, 1], 7),
    (4, [7, 3, 1], 7),
    (3, [7, 3, 1], 3),
    (2, [7, 3, 1], 3),
    (1, [7, 3, 1], 1),
    (0, [7, 3, 1], 0),
    (-1, [7, 3, 1], -1),
    (-30, [7, 3, 1], -1),
    (14, [14, 7], 14),
    (5, [], None),
    (0, [], 0),
])
def test_the_threshold_a_deadline_has_reached(days_left, thresholds, expected):
    assert alert_threshold(days_left, thresholds) == expected


@pytest.fixture
def deadline(world, director):
    return make_deadline(make_case(director, world.district_a), due=DUE)


def _emails_to(user):
    return list(EmailDelivery.objects.filter(to=user.email, template_name="advocacy-deadlines").order_by("pk"))


# (today, threshold alerted that day or None): the days of November 2026 around a due date of Monday Nov 16.
WALK = [
    (date(2026, 11, 2), None),
    (date(2026, 11, 8), None),
    (date(2026, 11, 9), 7),
    (date(2026, 11, 10), None),
    (date(2026, 11, 12), None),
    (date(2026, 11, 13), 3),
    (date(2026, 11, 14), None),
    (date(2026, 11, 15), 1),
    (date(2026, 11, 16), 0),
    (date(2026, 11, 17), -1),
    (date(2026, 11, 18), None),
    (date(2026, 12, 1), None),
]


def test_a_walk_through_the_days_alerts_once_per_threshold(deadline, director):
    for today, expected in WALK:
        result = deadline_alerts_send(today=today)
        sent = DeadlineAlert.objects.filter(sent_on=today)
        if expected is None:
            assert result == {"alerts": 0, "emails": 0}, today
            assert not sent.exists(), today
        else:
            assert result == {"alerts": 1, "emails": 1}, today
            assert [alert.threshold for alert in sent] == [expected], today
            assert sent.get().recipient == director and sent.get().due == DUE
    emails = _emails_to(director)
    assert len(emails) == 5
    assert "due in 7 days" in emails[0].body_text and "Mon Nov 16, 2026" in emails[0].body_text
    assert "due in 3 days" in emails[1].body_text
    assert "due in 1 day" in emails[2].body_text and "due in 1 days" not in emails[2].body_text
    assert "due today" in emails[3].body_text
    assert "OVERDUE" in emails[4].body_text and "overdue by 1 day" in emails[4].body_text
    assert "1 overdue" in emails[4].subject


def test_a_run_twice_sends_nothing_new(deadline, director):
    first = deadline_alerts_send(today=date(2026, 11, 9))
    second = deadline_alerts_send(today=date(2026, 11, 9))
    assert first == {"alerts": 1, "emails": 1}
    assert second == {"alerts": 0, "emails": 0}
    assert len(_emails_to(director)) == 1 and DeadlineAlert.objects.count() == 1


def test_a_first_run_late_sends_the_threshold_reached_not_the_ones_passed(deadline):
    deadline_alerts_send(today=date(2026, 11, 14))  # 2 days left: the 3-day alert, not the 7-day one
    assert list(DeadlineAlert.objects.values_list("threshold", flat=True)) == [3]


def test_a_moved_date_alerts_again(deadline, director):
    deadline_alerts_send(today=date(2026, 11, 13))  # 3 days before Nov 16
    CaseDeadline.objects.filter(pk=deadline.pk).update(extended_due=date(2026, 11, 20))  # an agreed extension
    result = deadline_alerts_send(today=date(2026, 11, 13))  # now 7 days before Nov 20
    assert result == {"alerts": 1, "emails": 1}
    assert sorted(DeadlineAlert.objects.values_list("threshold", "due")) == [(3, DUE), (7, date(2026, 11, 20))]
    emails = _emails_to(director)
    assert len(emails) == 2 and "Fri Nov 20, 2026" in emails[1].body_text
    assert deadline_alerts_send(today=date(2026, 11, 13)) == {"alerts": 0, "emails": 0}


def test_each_director_gets_their_own_cases_in_one_email(world, director, director2):
    a1 = make_deadline(make_case(director, world.district_a, title="Reprimand without a hearing"), due=DUE)
    a2 = make_deadline(make_case(director, world.district_a, title="Pay withheld"), due=DUE - timedelta(days=20))
    b = make_deadline(make_case(director2, world.district_b, title="Transfer without notice"), due=DUE)
    result = deadline_alerts_send(today=date(2026, 11, 9))
    assert result == {"alerts": 3, "emails": 2}
    [to_a] = _emails_to(director)
    [to_b] = _emails_to(director2)
    for text in (to_a.body_text, to_a.body_html):
        assert a1.case.number in text and a2.case.number in text and b.case.number not in text
        assert NOTE_TEXT not in text and "PRIVATE" not in text
    assert b.case.number in to_b.body_text and a1.case.number not in to_b.body_text
    assert a1.case.number not in to_b.body_html and a2.case.number not in to_b.subject
    # Overdue first, with how the date was computed and what missing it means.
    assert to_a.body_text.index("OVERDUE") < to_a.body_text.index("COMING UP")
    assert "10 working days after the incident" in to_a.body_text and "The grievance is waived." in to_a.body_text
    assert f"/advocacy/cases/{a1.case.pk}/" in to_a.body_text


def test_met_deadlines_and_closed_cases_are_not_alerted(world, director):
    make_deadline(make_case(director, world.district_a), due=DUE, status=CaseDeadline.Status.MET)
    closed = make_case(director, world.district_a)
    make_deadline(closed, due=DUE)
    GrievanceCase.objects.filter(pk=closed.pk).update(status="closed", outcome="won", closed_on=DUE)
    assert deadline_alerts_send(today=date(2026, 11, 9)) == {"alerts": 0, "emails": 0}


def test_the_policy_sets_the_thresholds(deadline):
    AdvocacyPolicy.objects.all().delete()
    AdvocacyPolicy.objects.create(alert_days="14, 2")
    assert deadline_alerts_send(today=date(2026, 11, 9)) == {"alerts": 1, "emails": 1}  # 7 days left: the 14 one
    assert DeadlineAlert.objects.get().threshold == 14
    assert "14 and 2 days" in EmailDelivery.objects.get().body_text


def test_the_daily_job_is_registered_and_its_task_sends(deadline, director, django_capture_on_commit_callbacks):
    from mae_portal.celery import app

    job = registry.beat_schedule()["advocacy-deadline-alerts"]
    assert job["task"] == "advocacy.tasks.send_deadline_alerts"
    app.loader.import_default_modules()  # as beat and the worker start
    assert app.conf.beat_schedule["advocacy-deadline-alerts"]["task"] == job["task"]
    assert job["task"] in app.tasks
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_alerts("2026-11-15") == {"alerts": 1, "emails": 1}
    [message] = mail.outbox
    assert message.to == [director.email]
    assert deadline.case.number in message.body and NOTE_TEXT not in message.body
    assert "Case deadlines: 1 coming up" in message.subject


def test_a_director_whose_account_is_closed_is_not_emailed(deadline, director):
    director.is_active = False
    director.save()
    assert deadline_alerts_send(today=date(2026, 11, 9)) == {"alerts": 0, "emails": 0}
