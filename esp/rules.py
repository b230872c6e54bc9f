"""Who may see which nomination. List scopes and single-object rules share one definition, and views load
through them (`get_visible_or_404(nominations_for_reviewer(user), pk=...)`), so no page shows a row its
detail view would refuse.

- Awards staff and admins: every nomination of every cycle.
- A reviewer: the nominations assigned to them (in any round), minus any they have a conflict with, only
  through the review pages, which show only the fields the cycle's blind review allows.
- A nominator: the nominations they made.
- A nominee: the nominations of themself (to consent and write their statements).
- A local leader: the nominations of members of the locals they are an officer of (to endorse).
- Everyone else: nothing (404).
"""

from django.db.models import Exists, OuterRef, Q

from esp.models import Conflict, Nomination
from mae_portal.permissions import is_awards_staff, is_local_leader


def nominations_for_staff(user):
    if not (user.is_authenticated and is_awards_staff(user)):
        return Nomination.objects.none()
    return Nomination.objects.all()


def nominations_for_reviewer(user, *, round: str | None = None):
    """The nominations assigned to `user` (in `round`, or any) with which they have no conflict."""
    if not user.is_authenticated:
        return Nomination.objects.none()
    assigned = Q(assignments__reviewer=user) if round is None else Q(assignments__reviewer=user, assignments__round=round)
    conflicted = Conflict.objects.filter(nomination=OuterRef("pk"), reviewer=user)
    return Nomination.objects.filter(assigned).exclude(Exists(conflicted)).distinct()


def nominations_of_nominator(user):
    if not user.is_authenticated:
        return Nomination.objects.none()
    return Nomination.objects.filter(nominator=user)


def nominations_of_nominee(user):
    if not user.is_authenticated:
        return Nomination.objects.none()
    return Nomination.objects.filter(nominee__user=user).exclude(status=Nomination.Status.WITHDRAWN)


def nominations_to_endorse(user):
    """Nominations of members of the locals this user is an officer of."""
    if not (user.is_authenticated and is_local_leader(user)):
        return Nomination.objects.none()
    return Nomination.objects.filter(nominee__local__officers__user=user).distinct()


def assignments_for_reviewer(user, *, round: str | None = None):
    """The reviewer's own assignments on nominations they may open (nominations_for_reviewer): the review
    pages load through this, so a conflicted or unassigned nomination answers 404."""
    from esp.models import ReviewAssignment

    if not user.is_authenticated:
        return ReviewAssignment.objects.none()
    assignments = ReviewAssignment.objects.filter(reviewer=user).exclude(
        Exists(Conflict.objects.filter(nomination=OuterRef("nomination"), reviewer=user)))
    return assignments if round is None else assignments.filter(round=round)
