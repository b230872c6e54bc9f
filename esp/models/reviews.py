"""Review: conflicts of interest, assignments, reviews and their scores, in a review and an interview round."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Conflict(models.Model):
    """A reason a reviewer must not review a nomination: found from the records, or declared by the reviewer.
    A conflicted reviewer is never assigned and cannot open the nomination."""

    class Kind(models.TextChoices):
        SAME_LOCAL = "same_local", "Same local association"
        SAME_DISTRICT = "same_district", "Same school district"
        SAME_WORKSITE = "same_worksite", "Same worksite"
        NOMINATOR = "nominator", "Nominated them"
        LETTER_WRITER = "letter_writer", "Wrote a letter of support"
        SUPERVISOR = "supervisor", "Supervises them"
        RELATIVE = "relative", "Family member"
        OTHER = "other", "Other (declared)"

    class Source(models.TextChoices):
        RECORDS = "records", "Found from the records"
        DECLARED = "declared", "Declared by the reviewer"

    nomination = models.ForeignKey("esp.Nomination", on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_conflicts")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination", "reviewer"]
        constraints = [models.UniqueConstraint(fields=["nomination", "reviewer", "kind"], name="conflict_unique_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reviewer} / {self.nomination_id}"


class ReviewAssignment(models.Model):
    """A reviewer asked to score a nomination in one round."""

    class Round(models.TextChoices):
        REVIEW = "review", "Review"
        INTERVIEW = "interview", "Finalist interview"

    nomination = models.ForeignKey("esp.Nomination", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    round = models.CharField(max_length=10, choices=Round.choices, default=Round.REVIEW)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    automatic = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination", "reviewer"]
        constraints = [models.UniqueConstraint(fields=["nomination", "reviewer", "round"], name="assignment_once")]
        indexes = [models.Index(fields=["reviewer", "round"], name="assignment_reviewer_idx")]

    def __str__(self):
        return f"{self.reviewer} reviews {self.nomination_id} ({self.round})"


class Review(models.Model):
    """A reviewer's scores on one assignment; `submitted_at` is set when every criterion has a score."""

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Review {self.pk} of assignment {self.assignment_id}"


class Score(models.Model):
    """One criterion scored 1 to 5, with a comment."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("esp.Criterion", on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=models.Q(value__gte=1, value__lte=5), name="score_between_1_and_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"
