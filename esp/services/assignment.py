"""Assigning reviewers: by hand (staff add or remove one reviewer) or automatically (esp/assignment.py's
min-cost flow). Both refuse a conflicted pair; every assignment made or removed is audited on the cycle."""

from dataclasses import dataclass

from django.db import transaction

from esp.assignment import AssignmentPlan, plan_assignments
from esp.models import Conflict, Nomination, ReviewAssignment
from esp.selectors.review import award_reviewers
from esp.services.conflicts import conflicts_detect
from esp.services.review_errors import ReviewError
from mae_portal.audit import audit_record
from mae_portal.permissions import is_award_reviewer

ROUND_STATUS = {ReviewAssignment.Round.REVIEW: Nomination.Status.SCREENED_IN,
                ReviewAssignment.Round.INTERVIEW: Nomination.Status.FINALIST}


def _round_open(cycle, round):
    closed = cycle.review_closed_at if round == ReviewAssignment.Round.REVIEW else cycle.interviews_closed_at
    if closed is not None:
        raise ReviewError("That round is closed: assignments can no longer change.")


@transaction.atomic
def assignment_add(*, nomination, reviewer, round: str, actor) -> ReviewAssignment:
    """Assign one reviewer by hand. Refused for someone who is not an award reviewer, for a conflict, for a
    nomination not in the round, and for a closed round."""
    if round not in ReviewAssignment.Round.values:
        raise ReviewError("Choose the round.")
    _round_open(nomination.cycle, round)
    if nomination.status != ROUND_STATUS[round]:
        raise ReviewError(f"Only nominations with status “{ROUND_STATUS[round].label}” are reviewed in this round.")
    if not (reviewer.is_active and is_award_reviewer(reviewer)):
        raise ReviewError(f"{reviewer.email} is not an award reviewer.")
    conflicts = list(Conflict.objects.filter(nomination=nomination, reviewer=reviewer))
    if conflicts:
        raise ReviewError(f"{reviewer.email} has a conflict with this nomination "
                          f"({', '.join(c.get_kind_display() for c in conflicts)}) and cannot be assigned.")
    assignment, created = ReviewAssignment.objects.get_or_create(
        nomination=nomination, reviewer=reviewer, round=round, defaults={"assigned_by": actor})
    if not created:
        raise ReviewError(f"{reviewer.email} is already assigned to this nomination.")
    audit_record(actor=actor, action="esp.review.assignment_added", obj=assignment, subject=nomination.cycle,
                 changes={"nomination": nomination.pk, "reviewer": reviewer.email, "round": round, "automatic": False})
    return assignment


@transaction.atomic
def assignment_remove(*, assignment, actor) -> None:
    """Take a reviewer off a nomination (while the round is open); scores they gave go with it, into the audit."""
    cycle = assignment.nomination.cycle
    _round_open(cycle, assignment.round)
    review = getattr(assignment, "review", None)
    scores = {str(s.criterion_id): s.value for s in review.scores.all()} if review is not None else {}
    audit_record(actor=actor, action="esp.review.assignment_removed", obj=assignment, subject=cycle,
                 changes={"nomination": assignment.nomination_id, "reviewer": assignment.reviewer.email,
                          "round": assignment.round, "why": "removed by staff", "scores": scores})
    assignment.delete()


@dataclass
class AutoResult:
    plan: AssignmentPlan
    created: int
    nominations: int
    reviewers: int


@transaction.atomic
def assignments_auto(*, cycle, round: str, actor) -> AutoResult:
    """Give each of the round's nominations cycle.reviewers_per_nomination reviewers, loads balanced, no
    conflict, assignments already made kept. Conflicts are detected first. When not every nomination can
    get its reviewers (too few unconflicted reviewers), what can be placed is placed and the shortfall is in
    the result (and the audit): the caller says so."""
    _round_open(cycle, round)
    conflicts_detect(cycle=cycle, actor=actor)
    rows = {n.pk: n for n in Nomination.objects.filter(cycle=cycle, status=ROUND_STATUS[round])
            .select_related("nominee", "cycle").order_by("pk")}
    nominations = list(rows)
    reviewers = {user.pk: user for user in award_reviewers()}
    conflicts = Conflict.objects.filter(nomination__in=nominations).values_list("nomination_id", "reviewer_id")
    existing = ReviewAssignment.objects.filter(nomination__in=nominations, round=round).values_list(
        "nomination_id", "reviewer_id")
    plan = plan_assignments(nominations=nominations, reviewers=list(reviewers), k=cycle.reviewers_per_nomination,
                            conflicts=conflicts, existing=existing)
    ReviewAssignment.objects.bulk_create([
        ReviewAssignment(nomination_id=n, reviewer_id=r, round=round, assigned_by=actor, automatic=True)
        for n, r in plan.new])
    by_nomination = {}
    for n, r in plan.new:
        by_nomination.setdefault(n, []).append(reviewers[r].email)
    for n, emails in by_nomination.items():
        audit_record(actor=actor, action="esp.review.assignment_added", obj=rows[n], subject=cycle,
                     changes={"nomination": n, "reviewers": emails, "round": round, "automatic": True})
    audit_record(actor=actor, action="esp.review.assignments_auto", obj=cycle, subject=cycle, changes={
        "round": round, "created": len(plan.new), "nominations": len(nominations), "reviewers": len(reviewers),
        "k": cycle.reviewers_per_nomination, "spread": plan.spread,
        "shortfall": {str(n): missing for n, missing in plan.shortfall.items()}})
    return AutoResult(plan=plan, created=len(plan.new), nominations=len(nominations), reviewers=len(reviewers))
