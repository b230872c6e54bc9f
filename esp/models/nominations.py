"""Nominations: who is nominated, by whom, with the nominee's consent and statements, letters of support,
the local president's endorsement, the eligibility checks and staff screening."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


def _token():
    return secrets.token_urlsafe(32)


class Nomination(models.Model):
    """A nomination of an ESP member for one cycle. One live nomination per nominee and cycle.

    `eligibility` keeps the last check's result ({"passed": bool, "rules": [{"rule", "passed", "why"}],
    "checked_on": "YYYY-MM-DD"}): checked when the nomination starts and again at submission.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SCREENED_IN = "screened_in", "Passed screening"
        SCREENED_OUT = "screened_out", "Did not pass screening"
        FINALIST = "finalist", "Finalist"
        WINNER = "winner", "Winner"
        NOT_SELECTED = "not_selected", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cycle = models.ForeignKey("esp.AwardCycle", on_delete=models.PROTECT, related_name="nominations")
    nominee = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="nominations")
    nominator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations_made")
    nominator_statement = models.TextField(blank=True, help_text="Why the nominator puts this person forward.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    eligibility = models.JSONField(default=dict, blank=True)
    # The nominee's consent, asked by email (a link with this token, or their own dashboard when signed in).
    consent_token = models.CharField(max_length=64, unique=True, default=_token)
    consent_requested_at = models.DateTimeField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    consent_declined_at = models.DateTimeField(null=True, blank=True)
    # The local president's endorsement (a local leader of the nominee's local).
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    endorsed_at = models.DateTimeField(null=True, blank=True)
    endorsement_text = models.TextField(blank=True)
    photo = models.OneToOneField("mae_portal.StoredDocument", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="nomination_photo")
    submitted_at = models.DateTimeField(null=True, blank=True)
    screening_note = models.TextField(blank=True, help_text="Shown to the nominator.")
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    screened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "nominee"], condition=~Q(status="withdrawn"),
                                    name="nomination_one_live_per_nominee"),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="nomination_cycle_status_idx")]

    def __str__(self):
        return f"Nomination of {self.nominee} ({self.cycle})"


class NominationStatement(models.Model):
    """The nominee's statement on one criterion, and the redacted copy staff prepare for blind review
    (reviewers get `redacted_text` when it is set and the cycle hides names)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="statements")
    criterion = models.ForeignKey("esp.Criterion", on_delete=models.PROTECT, related_name="statements")
    text = models.TextField(blank=True)
    redacted_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nomination", "criterion__order"]
        constraints = [models.UniqueConstraint(fields=["nomination", "criterion"], name="statement_one_per_criterion")]

    def __str__(self):
        return f"{self.criterion} statement"


class SupportLetter(models.Model):
    """A letter of support: uploaded by the nominator, or asked of its writer by an emailed link that lets
    them upload without an account (the token opens that one upload page and nothing else)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="letters")
    writer_name = models.CharField(max_length=120)
    writer_email = models.EmailField(blank=True)
    writer_relationship = models.CharField(max_length=120, blank=True, help_text='e.g. "Principal", "Colleague".')
    writer_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    help_text="The writer's account, when they have one (conflict detection).")
    token = models.CharField(max_length=64, unique=True, default=_token)
    requested_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    document = models.OneToOneField("mae_portal.StoredDocument", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="support_letter")
    redacted_document = models.OneToOneField("mae_portal.StoredDocument", on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="redacted_support_letter")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Letter from {self.writer_name}"
