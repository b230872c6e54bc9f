"""The review's demo data: reviewer2 with a declared conflict, assignments for the reviewers, idempotent."""

from django.utils import timezone

from esp.demo_review import review_demo_loader
from esp.models import Conflict, ReviewAssignment
from members.demo import load_demo
from members.models import User


def test_review_demo_gives_both_reviewers_work(db):  # not `world`: the demo makes its own regions
    today = timezone.localdate()
    load_demo(member_count=40, today=today)
    lines = review_demo_loader(today=today, options={})
    reviewer2 = User.objects.get(email="reviewer2@example.org")
    assert Conflict.objects.filter(reviewer=reviewer2, source="declared").count() == 1
    for email in ("reviewer@example.org", "reviewer2@example.org"):
        assert ReviewAssignment.objects.filter(reviewer__email=email).exists()
    conflicted = Conflict.objects.get(reviewer=reviewer2).nomination
    assert not ReviewAssignment.objects.filter(reviewer=reviewer2, nomination=conflicted).exists()
    assert any("reviewer2@example.org" in line for line in lines)
    count = ReviewAssignment.objects.count()
    again = review_demo_loader(today=today, options={})
    assert ReviewAssignment.objects.count() == count and "0 new assignments" in again[-1]
