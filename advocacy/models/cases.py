"""Cases and everything on them: deadlines, the timeline, notes, shared updates, documents, letters."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Func, Q, Value

from advocacy.models.case_types import CaseTypeVersion, IssueCategory, StepRule
from advocacy.models.requests import RepresentationRequest

CASE_NUMBER_SEQUENCE = "advocacy_case_number_seq"


class GrievanceCase(models.Model):
    """A case a UniServ director works: a grievance, a nonrenewal hearing, another protection matter.

    Its number is "<year filed>-<sequence>" (2026-0042); the sequence comes from PostgreSQL and never
    repeats. The case keeps the case-type version in force on `filed_on`.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        WON = "won", "Won"
        SETTLED = "settled", "Settled"
        LOST = "lost", "Lost"
        WITHDRAWN = "withdrawn", "Withdrawn"

    sequence = models.BigIntegerField(
        unique=True, editable=False,
        db_default=Func(Value(CASE_NUMBER_SEQUENCE), function="nextval", output_field=models.BigIntegerField()))
    request = models.OneToOneField(RepresentationRequest, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="case")
    case_type_version = models.ForeignKey(CaseTypeVersion, on_delete=models.PROTECT, related_name="cases")
    grievants = models.ManyToManyField("members.Member", related_name="grievance_cases")
    region = models.ForeignKey("members.UniServRegion", on_delete=models.PROTECT, related_name="cases")
    director = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="advocacy_cases")
    district = models.ForeignKey("members.District", on_delete=models.PROTECT, related_name="cases")
    worksite = models.ForeignKey("members.Worksite", on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    supervisor = models.CharField(max_length=120, blank=True)
    issue_category = models.ForeignKey(IssueCategory, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=150)
    policy_cited = models.CharField(max_length=200, blank=True)
    facts = models.TextField()
    remedy_sought = models.TextField()
    filed_on = models.DateField(help_text="The day the case was opened; it picks the ladder's version.")
    current_step = models.ForeignKey(StepRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    remedy_obtained = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_on", "-sequence"]
        indexes = [
            models.Index(fields=["region", "status"], name="case_region_status_idx"),
            models.Index(fields=["director", "status"], name="case_director_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | (~Q(outcome="") & Q(closed_on__isnull=False)),
                                   name="case_closed_has_outcome"),
        ]

    def __str__(self):
        return f"Case {self.number}: {self.title}"

    @property
    def number(self) -> str:
        return f"{self.filed_on.year}-{self.sequence:04d}"


class CaseEvent(models.Model):
    """What happened on a case, on which day: the timeline, and the dates deadlines count from.

    `shared` events appear on the member's case page; the others only to staff.
    """

    class Kind(models.TextChoices):
        INCIDENT = "incident", "Incident or action grieved"
        NOTICE_RECEIVED = "notice_received", "Notice received"
        STEP_DONE = "step_done", "Step done"
        HEARING_SCHEDULED = "hearing_scheduled", "Hearing scheduled"
        DECISION_RECEIVED = "decision_received", "Decision received"
        EXTENSION = "extension", "Extension agreed"
        OVERRIDE = "override", "Date changed by the director"
        STATUS = "status", "Status changed"
        OTHER = "other", "Other"

    case = models.ForeignKey(GrievanceCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(help_text="For a hearing, the day of the hearing.")
    step = models.ForeignKey(StepRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField(blank=True)
    shared = models.BooleanField(default=False, help_text="Shown to the member on their case page.")
    # An extension: who agreed for the district, when, and until when.
    agreed_by = models.CharField(max_length=120, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    extended_until = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "recorded_at"]
        indexes = [models.Index(fields=["case", "kind"], name="case_event_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_on}"


class CaseDeadline(models.Model):
    """A step's due date on one case: computed by advocacy.deadlines from its anchor, with the explanation.

    The date that counts is the director's override, else the latest agreed extension, else the computed one.
    Recomputing (a changed holiday or closure table) rewrites `computed_due` and `explanation` only.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        MOOT = "moot", "No longer applies"

    case = models.ForeignKey(GrievanceCase, on_delete=models.CASCADE, related_name="deadlines")
    step = models.ForeignKey(StepRule, on_delete=models.PROTECT, related_name="+")
    anchor_date = models.DateField()
    computed_due = models.DateField()
    explanation = models.TextField()
    extended_due = models.DateField(null=True, blank=True)
    extension = models.ForeignKey(CaseEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    override_due = models.DateField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    overridden_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["computed_due"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="case_deadline_one_per_step"),
            models.CheckConstraint(condition=Q(override_due__isnull=True) | ~Q(override_reason=""), name="deadline_override_has_reason"),
        ]
        indexes = [models.Index(fields=["status", "computed_due"], name="deadline_open_due_idx")]

    def __str__(self):
        return f"{self.step} due {self.due}"

    @property
    def due(self):
        return self.override_due or self.extended_due or self.computed_due


class CaseNote(models.Model):
    """A private note: staff only. Never on any page, export, feed, email or PDF a member can reach."""

    case = models.ForeignKey(GrievanceCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Private note by {self.author} on {self.created_at:%b %-d, %Y}"


class CaseUpdate(models.Model):
    """A message on the case's shared thread: an update the director chose to share, or a member's reply."""

    case = models.ForeignKey(GrievanceCase, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_member = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Update by {self.author} on {self.created_at:%b %-d, %Y}"


class CaseDocument(models.Model):
    """A stored document (mae_portal.StoredDocument) on a case or its request, private unless shared."""

    case = models.ForeignKey(GrievanceCase, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    request = models.ForeignKey(RepresentationRequest, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="documents")
    document = models.OneToOneField("mae_portal.StoredDocument", on_delete=models.CASCADE, related_name="case_link")
    shared = models.BooleanField(default=False, help_text="The member may open it.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [models.CheckConstraint(condition=Q(case__isnull=False) | Q(request__isnull=False),
                                              name="case_document_has_parent")]

    def __str__(self):
        return str(self.document.title)


class LetterTemplate(models.Model):
    """A staff-edited letter with the case's fields in it (Django template syntax, sandboxed
    to the fields advocacy.letters offers)."""

    name = models.CharField(max_length=120, unique=True)
    case_kind = models.CharField(max_length=12, blank=True, help_text="A CaseType kind it is meant for; blank for any.")
    body = models.TextField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseLetter(models.Model):
    """A letter on a case: a draft the director edits, then final, when its PDF is built (once)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    case = models.ForeignKey(GrievanceCase, on_delete=models.CASCADE, related_name="letters")
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="letters")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class DeadlineAlert(models.Model):
    """One alert email for one deadline, threshold and director: the unique key makes a rerun send nothing."""

    deadline = models.ForeignKey(CaseDeadline, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.IntegerField(help_text="Days before the due date; 0 on the day, -1 once overdue.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due = models.DateField(help_text="The due date the alert was about: a moved date alerts again.")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deadline", "threshold", "recipient", "due"],
                                               name="deadline_alert_once")]

    def __str__(self):
        return f"Alert {self.threshold} days before {self.due} to {self.recipient}"


def _feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """A director's private iCal feed address. Revoking deletes the row; a new one gets a new token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_feed")
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Case calendar feed of {self.user}"
