"""Case types with versioned step ladders, issue categories, the advocacy policy and school calendars.

A step ladder is data: staff edit it in the admin. A district's policy changes over time, so a case type
has versions with the date each took effect; a case keeps the version in force on the day it was filed
(`CaseTypeVersion.in_force_on`).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class IssueCategory(models.Model):
    """What a case is about (pay, evaluation, discipline, transfer...): what the reports group by."""

    name = models.CharField(max_length=80, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "issue categories"

    def __str__(self):
        return self.name


class CaseType(models.Model):
    """A kind of case: a district's grievance policy, the nonrenewal statute, a liability matter..."""

    class Kind(models.TextChoices):
        GRIEVANCE = "grievance", "District grievance policy"
        NONRENEWAL = "nonrenewal", "Nonrenewal of a licensed employee (Miss. Code 37-9-101 to -113)"
        PROTECTION = "protection", "Other member protection"

    class CoveredStaff(models.TextChoices):
        ANY = "any", "Any employee"
        LICENSED = "licensed", "Licensed employees (teachers and licensed professionals)"
        ESP = "esp", "Education Support Professionals"

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    covers = models.CharField(max_length=10, choices=CoveredStaff.choices, default=CoveredStaff.ANY,
                              help_text="Whom it applies to: intake suggests a type from the member's career field.")
    # A district's own grievance policy; empty for a statute or a policy used statewide.
    district = models.ForeignKey("members.District", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="case_types")
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseTypeVersion(models.Model):
    """One version of a case type's ladder, in force from `effective_from` until the next version."""

    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3... in the order they took effect.")
    effective_from = models.DateField()
    citation = models.CharField(max_length=200, help_text='Policy code or statute, e.g. "MSBA policy GAE" or "Miss. Code 37-9-109".')
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["case_type", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "number"], name="case_type_version_number_unique"),
            models.UniqueConstraint(fields=["case_type", "effective_from"], name="case_type_version_date_unique"),
        ]

    def __str__(self):
        return f"{self.case_type}, version {self.number} (from {self.effective_from:%B %-d, %Y})"


class StepRule(models.Model):
    """One step of a ladder: who must act, by when, counted from what, and what missing it means.

    A step counts forward from an event of the case (`anchor_event`: notice received, incident...) or from
    the day an earlier step was done (`anchor_step`: the principal's answer), or backward from a scheduled
    hearing (`direction=before`, `anchor_event=hearing_scheduled`). Exactly one anchor is set.
    """

    class Party(models.TextChoices):
        EMPLOYEE = "employee", "The employee"
        DISTRICT = "district", "The district"

    class Unit(models.TextChoices):
        CALENDAR = "calendar", "calendar days"
        WORKING = "working", "working days"
        SCHOOL = "school", "school days"

    class Direction(models.TextChoices):
        AFTER = "after", "after"
        BEFORE = "before", "before"

    version = models.ForeignKey(CaseTypeVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150, help_text='e.g. "Level 1: written grievance to the principal".')
    party = models.CharField(max_length=10, choices=Party.choices)
    days = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(365)])
    unit = models.CharField(max_length=10, choices=Unit.choices)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.AFTER)
    anchor_event = models.CharField(max_length=30, blank=True,
                                    help_text="A CaseEvent kind the count starts from (blank when it counts from a step).")
    anchor_step = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    help_text="The earlier step whose completion the count starts from.")
    consequence = models.TextField(help_text="What happens if it is missed, e.g. \"the grievance is waived\".")
    citation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="step_rule_order_unique"),
            models.CheckConstraint(
                condition=(Q(anchor_step__isnull=True) & ~Q(anchor_event="")) | (Q(anchor_step__isnull=False) & Q(anchor_event="")),
                name="step_rule_one_anchor"),
        ]

    def __str__(self):
        return self.name


class AdvocacyPolicy(models.Model):
    """The one row of advocacy settings staff edit (like members.RenewalPolicy)."""

    free_consultations_per_year = models.PositiveSmallIntegerField(
        default=1, help_text="Free attorney consultations per member per membership year (September-August).")
    alert_days = models.CharField(max_length=40, default="7,3,1",
                                  help_text="Days before a deadline that directors get an email, comma-separated.")

    class Meta:
        verbose_name = "advocacy policy"
        verbose_name_plural = "advocacy policy"

    def __str__(self):
        return "Advocacy policy"

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first() or cls()

    @property
    def alert_thresholds(self) -> list[int]:
        return sorted({int(part) for part in self.alert_days.split(",") if part.strip().isdigit()}, reverse=True)


class SchoolYear(models.Model):
    """The first and last day of school in a district's year: school days are counted inside it."""

    district = models.ForeignKey("members.District", on_delete=models.CASCADE, related_name="school_years")
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["district", "first_day"]
        constraints = [
            models.UniqueConstraint(fields=["district", "first_day"], name="school_year_unique_start"),
            models.CheckConstraint(condition=Q(last_day__gt=models.F("first_day")), name="school_year_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.district}: {self.first_day:%b %-d, %Y} to {self.last_day:%b %-d, %Y}"


class SchoolBreak(models.Model):
    """Days without school that the offices may still keep open (fall break, spring break)."""

    district = models.ForeignKey("members.District", on_delete=models.CASCADE, related_name="school_breaks")
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=80)

    class Meta:
        ordering = ["district", "first_day"]
        constraints = [models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="school_break_order")]

    def __str__(self):
        return f"{self.district}: {self.reason}"
