"""Scoring and blind review: reviews saved as drafts and submitted, the cycle's blind-review settings,
redacted copies of statements and letters, closing a round, and reminders to reviewers.

Every score change is audited on the cycle with the criterion's old and new value and comment."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from esp.models import Conflict, Review, ReviewAssignment, Score
from esp.selectors.review import round_criteria, unfinished_assignments
from esp.services.review_errors import ReviewError
from mae_portal.audit import audit_record, model_update
from mae_portal.emails import send_email

REMINDER_EVERY_DAYS = 3
BLIND_FIELDS = ("hide_name", "hide_worksite", "hide_district", "hide_photos")


def round_closed(cycle, round) -> bool:
    closed = cycle.review_closed_at if round == ReviewAssignment.Round.REVIEW else cycle.interviews_closed_at
    return closed is not None


@transaction.atomic
def review_save(*, assignment, scores: dict, submit: bool, actor) -> Review:
    """Save the reviewer's scores: {criterion id: (value 1..5 or None, comment)} for the round's criteria.
    A draft may leave scores out; submitting needs every criterion scored. Refused once the round is
    closed, and for a reviewer with a conflict. A submitted review may be changed until the round closes."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("nomination__cycle").get(pk=assignment.pk)
    cycle = assignment.nomination.cycle
    if actor.pk != assignment.reviewer_id:
        raise ReviewError("Only the assigned reviewer scores a nomination.")
    if round_closed(cycle, assignment.round):
        raise ReviewError("This round is closed: scores can no longer change.")
    if Conflict.objects.filter(nomination=assignment.nomination_id, reviewer=actor).exists():
        raise ReviewError("You have a conflict with this nomination.")
    criteria = {c.pk: c for c in round_criteria(cycle, assignment.round)}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ReviewError("A score was for a criterion of another round.")
    for criterion_id, (value, _) in scores.items():
        if value is not None and value not in (1, 2, 3, 4, 5):
            raise ReviewError(f"{criteria[criterion_id]}: a score is a whole number from 1 to 5.")
    if submit and any(scores.get(pk, (None, ""))[0] is None for pk in criteria):
        raise ReviewError("Score every criterion before submitting; or save a draft.")
    review, _ = Review.objects.get_or_create(assignment=assignment)
    existing = {s.criterion_id: s for s in review.scores.all()}
    changes = {}
    for criterion_id, (value, comment) in scores.items():
        comment = (comment or "").strip()
        score = existing.get(criterion_id)
        before = (score.value, score.comment) if score else (None, "")
        if value is None:
            if score is not None:
                score.delete()
        elif score is None:
            Score.objects.create(review=review, criterion_id=criterion_id, value=value, comment=comment)
        elif before != (value, comment):
            score.value, score.comment = value, comment
            score.save(update_fields=["value", "comment"])
        after = (value, comment if value is not None else "")
        if before != after:
            changes[criteria[criterion_id].name] = {"value": [before[0], after[0]], "comment": [before[1], after[1]]}
    submitted_now = submit and review.submitted_at is None
    if submitted_now:
        review.submitted_at = timezone.now()
    review.save()
    if changes or submitted_now:
        audit_record(actor=actor, action="esp.review.submitted" if submitted_now else "esp.review.scores_saved",
                     obj=review, subject=cycle, changes={"assignment": assignment.pk, "nomination": assignment.nomination_id,
                                                         "round": assignment.round, "scores": changes})
    return review


@transaction.atomic
def blind_settings_update(*, cycle, data: dict, actor):
    """What reviewers see: the four hide_* switches of the cycle."""
    return model_update(instance=cycle, data={f: bool(data.get(f)) for f in BLIND_FIELDS}, actor=actor,
                        action="esp.review.blind_settings_changed", subject=cycle)


@transaction.atomic
def statements_redact(*, nomination, texts: dict, actor) -> int:
    """Store staff's redacted copies: {statement id: text}. Returns how many changed."""
    changed = 0
    for statement in nomination.statements.select_related("criterion"):
        if statement.pk not in texts:
            continue
        _, diff = model_update(instance=statement, data={"redacted_text": texts[statement.pk].strip()}, actor=actor,
                               action="esp.review.statement_redacted", subject=nomination.cycle)
        changed += bool(diff)
    return changed


@transaction.atomic
def letter_redaction_store(*, letter, document, actor):
    """Keep an uploaded redacted copy of a letter (a ready StoredDocument of kind award_letter_redacted)."""
    previous = letter.redacted_document_id
    letter.redacted_document = document
    letter.save(update_fields=["redacted_document"])
    audit_record(actor=actor, action="esp.review.letter_redacted", obj=letter, subject=letter.nomination.cycle,
                 changes={"nomination": letter.nomination_id, "redacted_document": [str(previous or ""), str(document.pk)]})
    return letter


@transaction.atomic
def round_close(*, cycle, round: str, actor, now=None):
    """Close a round: scores freeze, reviewers may read each other's reviews, results are final."""
    now = now or timezone.now()
    field = "review_closed_at" if round == ReviewAssignment.Round.REVIEW else "interviews_closed_at"
    if getattr(cycle, field) is not None:
        raise ReviewError("That round is already closed.")
    model_update(instance=cycle, data={field: now}, actor=actor, action="esp.review.round_closed", subject=cycle)
    return cycle


def review_reminders_send(*, now, every_days: int = REMINDER_EVERY_DAYS) -> int:
    """Email each reviewer with unfinished reviews in an open round, at most once every `every_days` days
    (ReviewAssignment.reminded_at). Returns how many reviewers were written to."""
    from esp.models import AwardCycle

    due_before = now - timedelta(days=every_days)
    sent = 0
    for round, closed_field, phase in ((ReviewAssignment.Round.REVIEW, "review_closed_at", AwardCycle.Phase.REVIEW),
                                       (ReviewAssignment.Round.INTERVIEW, "interviews_closed_at",
                                        AwardCycle.Phase.INTERVIEWS)):
        cycles = AwardCycle.objects.filter(phase=phase, **{f"{closed_field}__isnull": True})
        pending = (unfinished_assignments(round=round, cycles=cycles)
                   .select_related("reviewer", "nomination__cycle").order_by("reviewer_id", "pk"))
        by_reviewer = {}
        for assignment in pending:
            by_reviewer.setdefault(assignment.reviewer, []).append(assignment)
        for reviewer, assignments in by_reviewer.items():
            if all(a.reminded_at and a.reminded_at > due_before for a in assignments):
                continue
            with transaction.atomic():
                send_email("esp-review-reminder", to=reviewer.email, context={
                    "reviewer": reviewer, "count": len(assignments), "round": round,
                    "cycle": assignments[0].nomination.cycle}, idempotency_key=(
                    f"esp-review-reminder:{round}:{reviewer.pk}:{timezone.localdate(now).isoformat()}"))
                ReviewAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(reminded_at=now)
            sent += 1
    return sent
