"""The nominations' demo data: the open cycle has a nomination in every state (and consent at each stage),
the review loader after it assigns the screened-in ones to both reviewers, and a rerun adds nothing."""

from django.utils import timezone

from esp.demo_nominations import nominations_demo_loader
from esp.demo_review import review_demo_loader
from esp.models import Conflict, Nomination, ReviewAssignment, SupportLetter
from members.demo import load_demo

S = Nomination.Status


def test_every_state_exists_both_reviewers_have_work_and_a_rerun_adds_nothing(db):
    today = timezone.localdate()
    load_demo(member_count=60, today=today)
    lines = nominations_demo_loader(today=today, options={}) + review_demo_loader(today=today, options={})
    cycle = Nomination.objects.values_list("cycle", flat=True).distinct().get()
    nominations = Nomination.objects.filter(cycle=cycle)
    for status in (S.DRAFT, S.SUBMITTED, S.SCREENED_IN, S.SCREENED_OUT, S.WITHDRAWN):
        assert nominations.filter(status=status).exists(), status
    drafts = nominations.filter(status=S.DRAFT)
    assert drafts.filter(consent_requested_at__isnull=True).exists()
    assert drafts.filter(consent_requested_at__isnull=False, consented_at__isnull=True,
                         consent_declined_at__isnull=True).exists()
    assert drafts.filter(consent_declined_at__isnull=False).exists()
    given = drafts.get(consented_at__isnull=False)
    assert given.statements.exclude(text="").count() == 5 and given.endorsed_at is None
    assert SupportLetter.objects.filter(nomination=given, requested_at__isnull=False, received_at__isnull=True).exists()
    assert nominations.filter(status=S.SCREENED_IN).count() >= 4
    assert nominations.get(status=S.SCREENED_OUT).screening_note
    assert nominations.get(status=S.SUBMITTED).eligibility["passed"] is True
    for email in ("reviewer@example.org", "reviewer2@example.org"):
        assert ReviewAssignment.objects.filter(reviewer__email=email, nomination__cycle=cycle).exists()
    assert Conflict.objects.filter(reviewer__email="reviewer2@example.org", source="declared").count() == 1
    assert not ReviewAssignment.objects.filter(nomination__status__in=[S.DRAFT, S.SUBMITTED, S.SCREENED_OUT]).exists()
    assert any("reviewer2@example.org" in line for line in lines)
    assert any(line.startswith("Award nominations:") and "did not pass screening" in line.lower() for line in lines)

    counts = (Nomination.objects.count(), SupportLetter.objects.count(), ReviewAssignment.objects.count(),
              Conflict.objects.count())
    again = nominations_demo_loader(today=today, options={}) + review_demo_loader(today=today, options={})
    assert (Nomination.objects.count(), SupportLetter.objects.count(), ReviewAssignment.objects.count(),
            Conflict.objects.count()) == counts
    assert again[0].endswith("0 new.") and "0 new assignments" in again[-1]
