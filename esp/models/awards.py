"""Award cycles: dates, eligibility rules, the rubric and the required materials."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q


class AwardCycle(models.Model):
    """One year's ESP of the Year. Dates are aware datetimes shown in Mississippi time (America/Chicago):
    nominations open and close, screening ends, review opens and closes, finalists are named, the winner is
    announced. What reviewers see is set here (blind review), and so are the rules nominations are checked
    against."""

    class Phase(models.TextChoices):
        DRAFT = "draft", "Being prepared"
        NOMINATIONS = "nominations", "Taking nominations"
        SCREENING = "screening", "Screening"
        REVIEW = "review", "Review"
        INTERVIEWS = "interviews", "Finalist interviews"
        DECIDED = "decided", "Winner chosen"
        CLOSED = "closed", "Closed"

    year = models.PositiveSmallIntegerField(unique=True, help_text="The award year, e.g. 2027.")
    name = models.CharField(max_length=150, default="MAE ESP of the Year")
    description = models.TextField(blank=True)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.DRAFT)
    nominations_open_at = models.DateTimeField()
    nominations_close_at = models.DateTimeField()
    screening_ends_on = models.DateField()
    review_opens_on = models.DateField()
    review_closes_on = models.DateField()
    finalists_on = models.DateField()
    winner_on = models.DateField()
    # Eligibility (DESIGN.md): an active ESP member, at least N years of membership, not retired.
    min_membership_years = models.PositiveSmallIntegerField(default=3)
    # Materials and review.
    letters_required = models.PositiveSmallIntegerField(default=2, help_text="Letters of support a nomination needs.")
    statement_max_words = models.PositiveSmallIntegerField(default=500)
    reviewers_per_nomination = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    finalist_count = models.PositiveSmallIntegerField(default=3)
    min_scores_for_normalising = models.PositiveSmallIntegerField(
        default=5, help_text="A reviewer's totals are z-score normalised only with at least this many nominations scored.")
    hide_name = models.BooleanField(default=True, help_text="Reviewers do not see the nominee's or nominator's name.")
    hide_worksite = models.BooleanField(default=True)
    hide_district = models.BooleanField(default=False)
    hide_photos = models.BooleanField(default=True)
    review_closed_at = models.DateTimeField(null=True, blank=True, help_text="Reviewers see each other's scores after this.")
    interviews_closed_at = models.DateTimeField(null=True, blank=True)
    winner = models.OneToOneField("esp.Nomination", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Decisions and the NEA submission (esp/services/results.py). Only MAE's point of contact sends the
    # winning packet to the NEA; the portal records when, and who.
    finalists_confirmed_at = models.DateTimeField(null=True, blank=True)
    winner_confirmed_at = models.DateTimeField(null=True, blank=True)
    nea_contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="NEA point of contact",
                                    help_text="The one person at MAE who sends the winning packet to the NEA.")
    packet_sent_at = models.DateTimeField(null=True, blank=True)
    packet_sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(nominations_close_at__gt=F("nominations_open_at")), name="cycle_close_after_open"),
            models.CheckConstraint(condition=Q(review_closes_on__gte=F("review_opens_on")), name="cycle_review_dates_order"),
        ]

    def __str__(self):
        return f"{self.name} {self.year}"


class Criterion(models.Model):
    """One of the rubric's criteria (DESIGN.md lists the five), scored 1 to 5, with its weight this cycle."""

    class Round(models.TextChoices):
        REVIEW = "review", "Review"
        INTERVIEW = "interview", "Finalist interview"

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="criteria")
    round = models.CharField(max_length=10, choices=Round.choices, default=Round.REVIEW)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("1.00"),
                                 validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["cycle", "round", "order"]
        constraints = [models.UniqueConstraint(fields=["cycle", "round", "order"], name="criterion_order_unique")]

    def __str__(self):
        return self.name


CRITERIA = [
    ("Professional Practice", "Excellence in the nominee's work and how it serves students."),
    ("Member Advocacy and Association Involvement", "Work for colleagues and in the association."),
    ("Community Engagement", "Service to the community beyond the job."),
    ("Personal Achievement", "Growth, learning and recognition."),
    ("Enhancement of ESP Image", "How the nominee raises the standing of Education Support Professionals."),
]
