"""Scoring: drafts and submission, every score change audited, closed rounds frozen, other reviewers'
scores hidden until the round closes, the queue's query count, reminders at most once every few days."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from esp.models import Criterion, Review, ReviewAssignment
from esp.services.review import review_reminders_send, review_save, round_close
from esp.services.review_errors import ReviewError
from mae_portal import registry
from mae_portal.models import AuditLog, EmailDelivery
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user, submit_review


@pytest.fixture
def scoring(world, member, awards):
    cycle = AwardCycleFactory(phase="review")
    nomination = nomination_for_review(cycle, nominator=member, employer_district=world.district_b, local=world.local_b)
    reviewer = reviewer_user()
    assignment = ReviewAssignment.objects.create(nomination=nomination, reviewer=reviewer, round="review",
                                                 assigned_by=awards)
    criteria = list(Criterion.objects.filter(cycle=cycle, round="review").order_by("order"))
    return cycle, nomination, reviewer, assignment, criteria


def form_data(criteria, values, comment="Solid."):
    data = {}
    for criterion, value in zip(criteria, values, strict=False):
        if value is not None:
            data[f"value_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = comment
    return data


def test_draft_then_submit_through_the_page(scoring, client):
    cycle, nomination, reviewer, assignment, criteria = scoring
    client.force_login(reviewer)
    url = f"/esp/review/{assignment.pk}/"
    assert client.post(url, {**form_data(criteria, [4, 3]), "draft": "1"}).status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.submitted_at is None and review.scores.count() == 2
    refused = client.post(url, {**form_data(criteria, [4, 3]), "submit": "1"})
    assert refused.status_code == 200 and "Score every criterion" in refused.content.decode()
    assert client.post(url, {**form_data(criteria, [4, 3, 5, 2, 1]), "submit": "1"}).status_code == 302
    review.refresh_from_db()
    assert review.submitted_at is not None and review.scores.count() == 5
    entries = list(AuditLog.objects.filter(action__in=["esp.review.scores_saved", "esp.review.submitted"])
                   .order_by("created_at", "id"))
    assert [e.action for e in entries] == ["esp.review.scores_saved", "esp.review.submitted"]
    assert entries[1].changes["scores"][criteria[2].name] == {"value": [None, 5], "comment": ["", "Solid."]}


def test_every_change_after_submission_is_audited(scoring):
    cycle, nomination, reviewer, assignment, criteria = scoring
    scores = {c.pk: (3, "") for c in criteria}
    review_save(assignment=assignment, scores=scores, submit=True, actor=reviewer)
    review_save(assignment=assignment, scores={**scores, criteria[0].pk: (5, "Changed my mind")}, submit=True,
                actor=reviewer)
    review_save(assignment=assignment, scores={**scores, criteria[0].pk: (5, "Changed my mind")}, submit=True,
                actor=reviewer)  # no change: no entry
    last = AuditLog.objects.filter(action="esp.review.scores_saved").get()
    assert last.changes["scores"] == {criteria[0].name: {"value": [3, 5], "comment": ["", "Changed my mind"]}}


def test_scores_refused(scoring, awards):
    cycle, nomination, reviewer, assignment, criteria = scoring
    with pytest.raises(ReviewError, match="1 to 5"):
        review_save(assignment=assignment, scores={criteria[0].pk: (6, "")}, submit=False, actor=reviewer)
    interview = Criterion.objects.get(cycle=cycle, round="interview", order=1)
    with pytest.raises(ReviewError, match="another round"):
        review_save(assignment=assignment, scores={interview.pk: (3, "")}, submit=False, actor=reviewer)
    with pytest.raises(ReviewError, match="Only the assigned reviewer"):
        review_save(assignment=assignment, scores={}, submit=False, actor=awards)
    round_close(cycle=cycle, round="review", actor=awards)
    cycle.refresh_from_db()
    with pytest.raises(ReviewError, match="closed"):
        review_save(assignment=assignment, scores={criteria[0].pk: (3, "")}, submit=False, actor=reviewer)


def test_weights_change_the_total(scoring, awards, client):
    cycle, nomination, reviewer, assignment, criteria = scoring
    Criterion.objects.filter(pk=criteria[0].pk).update(weight=4)
    submit_review(nomination, reviewer, [5, 1, 1, 1, 1])
    client.force_login(awards)
    page = client.get(f"/esp/awards/staff/review/cycles/{cycle.pk}/results/").content.decode()
    assert "<td>3.000</td>" in page  # (4*5 + 1 + 1 + 1 + 1) / 8, where equal weights give 1.8


def test_other_reviewers_scores_only_after_the_round_closes(scoring, awards, client):
    cycle, nomination, reviewer, assignment, criteria = scoring
    other = reviewer_user()
    submit_review(nomination, other, 2)
    Review.objects.filter(assignment__reviewer=other).get().scores.update(comment="A secret comment")
    client.force_login(reviewer)
    others = f"/esp/review/{assignment.pk}/others/"
    assert client.get(others).status_code == 403
    assert "A secret comment" not in client.get(f"/esp/review/{assignment.pk}/").content.decode()
    round_close(cycle=cycle, round="review", actor=awards)
    page = client.get(others)
    assert page.status_code == 200 and "A secret comment" in page.content.decode()
    assert other.email not in page.content.decode()


def test_queue_queries_do_not_grow(scoring, client, member, world, awards, django_assert_max_num_queries):
    cycle, nomination, reviewer, assignment, criteria = scoring
    client.force_login(reviewer)
    client.get("/esp/review/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/esp/review/").status_code == 200
    for value in range(1, 9):
        more = nomination_for_review(cycle, nominator=member, employer_district=world.district_b, local=world.local_b)
        if value % 2:
            submit_review(more, reviewer, 1 + value % 5, assigned_by=awards)
        else:
            ReviewAssignment.objects.create(nomination=more, reviewer=reviewer, round="review", assigned_by=awards)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/esp/review/")
    assert page.content.decode().count("Nomination R") == 9


def test_reminders_at_most_once_every_few_days(scoring, awards):
    cycle, nomination, reviewer, assignment, criteria = scoring
    done = reviewer_user()
    submit_review(nomination, done, 3, assigned_by=awards)
    now = timezone.now()
    assert review_reminders_send(now=now, every_days=3) == 1
    assert list(EmailDelivery.objects.values_list("to", flat=True)) == [reviewer.email]
    assert review_reminders_send(now=now + timedelta(days=1), every_days=3) == 0
    assert review_reminders_send(now=now + timedelta(days=3, minutes=1), every_days=3) == 1
    assert EmailDelivery.objects.count() == 2
    review_save(assignment=assignment, scores={c.pk: (4, "") for c in criteria}, submit=True, actor=reviewer)
    assert review_reminders_send(now=now + timedelta(days=9), every_days=3) == 0
    assert "esp-review-reminders" in registry.beat_schedule()
    assert registry.beat_schedule()["esp-review-reminders"]["task"] == "esp.tasks.send_review_reminders"


def test_no_reminders_once_the_round_is_closed(scoring, awards):
    cycle, nomination, reviewer, assignment, criteria = scoring
    round_close(cycle=cycle, round="review", actor=awards)
    assert review_reminders_send(now=timezone.now()) == 0
