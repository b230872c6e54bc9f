"""Builders the review tests share: nominations ready for review, reviewers, submitted reviews."""

from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from esp.models import Criterion, NominationStatement, Review, ReviewAssignment, Score
from mae_portal.permissions import Groups
from tests.esp.factories import NominationFactory
from tests.factories import MemberFactory, UserFactory, WorksiteFactory


def reviewer_user(email=None, *, member=None, **member_fields):
    """An award reviewer with two-factor set up; with `member_fields` a member record too."""
    user = UserFactory(**({"email": email} if email else {}), groups=[Groups.AWARD_REVIEWERS])
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    if member_fields:
        MemberFactory(user=user, email=user.email, **member_fields)
    return user


def nomination_for_review(cycle, *, nominator, nominee=None, status="screened_in", texts=None, **nominee_fields):
    """A nomination that passed screening, with a statement on each review criterion."""
    nominee = nominee or MemberFactory(**nominee_fields)
    nomination = NominationFactory(cycle=cycle, nominee=nominee, nominator=nominator, status=status,
                                   submitted_at=timezone.now())
    for criterion in Criterion.objects.filter(cycle=cycle, round="review").order_by("order"):
        text = (texts or {}).get(criterion.order, f"Statement on {criterion.name}.")
        NominationStatement.objects.create(nomination=nomination, criterion=criterion, text=text)
    return nomination


def submit_review(nomination, reviewer, values, *, round="review", assigned_by=None):
    """An assignment with a submitted review: `values` is one score for every criterion, or a list by order."""
    assignment, _ = ReviewAssignment.objects.get_or_create(
        nomination=nomination, reviewer=reviewer, round=round, defaults={"assigned_by": assigned_by or reviewer})
    review, _ = Review.objects.get_or_create(assignment=assignment)
    criteria = list(Criterion.objects.filter(cycle=nomination.cycle, round=round).order_by("order"))
    if isinstance(values, int):
        values = [values] * len(criteria)
    for criterion, value in zip(criteria, values, strict=True):
        Score.objects.update_or_create(review=review, criterion=criterion, defaults={"value": value})
    review.submitted_at = timezone.now()
    review.save()
    return assignment


def worksite_in(district, name=None):
    return WorksiteFactory(district=district, **({"name": name} if name else {}))
