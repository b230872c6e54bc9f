"""Representation requests (a member asks for help) and what intake may make of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class RepresentationRequest(models.Model):
    """A request for help, routed to the UniServ director(s) of the region of the district it names.

    Anyone signed in may ask, member or not: `membership_on_incident` records what membership said, at
    the time of asking, about the incident date (members.selectors.terms.term_covering), and
    `membership_note` says it in words ("Member: ESP full-time, 2026-27 term, paid").
    """

    class Urgency(models.TextChoices):
        DEADLINE = "deadline", "A deadline is close (within a week)"
        SOON = "soon", "Soon (within a few weeks)"
        ROUTINE = "routine", "No deadline that I know of"

    class Status(models.TextChoices):
        NEW = "new", "Waiting for a director"
        ACCEPTED = "accepted", "Accepted: a case is open"
        DECLINED = "declined", "Declined"
        REFERRED = "referred", "Referred to an attorney"
        CLAIM = "claim", "Liability claim opened"
        WITHDRAWN = "withdrawn", "Withdrawn by the member"

    class Membership(models.TextChoices):
        MEMBER = "member", "A member in good standing on the incident date"
        LAPSED = "lapsed", "A member whose membership had lapsed on the incident date"
        NOT_MEMBER = "not_member", "Not a member on the incident date"

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="representation_requests")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="representation_requests")
    region = models.ForeignKey("members.UniServRegion", on_delete=models.PROTECT, related_name="representation_requests")
    district = models.ForeignKey("members.District", on_delete=models.PROTECT, related_name="representation_requests")
    worksite = models.ForeignKey("members.Worksite", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    supervisor = models.CharField(max_length=120, blank=True)
    summary = models.CharField(max_length=150, help_text="A line that names it, e.g. \"Nonrenewal notice\".")
    what_happened = models.TextField()
    incident_date = models.DateField()
    witnesses = models.TextField(blank=True)
    outcome_sought = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    membership_on_incident = models.CharField(max_length=12, choices=Membership.choices)
    membership_note = models.CharField(max_length=200, blank=True)
    # The form's one-time key: the same form sent twice (a double click, a resend) makes one request.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    decline_reason = models.TextField(blank=True, help_text="Shown to the member.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "status", "created_at"], name="request_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""), name="request_decline_has_reason"),
            models.UniqueConstraint(fields=["requester", "submission_key"], condition=~Q(submission_key=""),
                                    name="request_submission_once"),
        ]

    def __str__(self):
        return f"{self.summary} ({self.created_at:%b %-d, %Y})" if self.created_at else self.summary


class AttorneyReferral(models.Model):
    """A free consultation under the attorney referral program, counted per membership year."""

    request = models.OneToOneField(RepresentationRequest, on_delete=models.PROTECT, related_name="referral")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attorney_referrals")
    membership_year_start = models.DateField(help_text="September 1 of the membership year it counts against.")
    attorney = models.CharField(max_length=150, blank=True)
    notes = models.TextField(blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_at"]
        indexes = [models.Index(fields=["member", "membership_year_start"], name="referral_year_idx")]

    def __str__(self):
        return f"Attorney referral for {self.member}"


class LiabilityClaim(models.Model):
    """A claim under the educators' employment liability coverage, which covers incidents during membership."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUBMITTED = "submitted", "Submitted to the carrier"
        CLOSED = "closed", "Closed"

    request = models.OneToOneField(RepresentationRequest, on_delete=models.PROTECT, related_name="claim")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="liability_claims")
    incident_date = models.DateField()
    covered = models.BooleanField(help_text="Whether the member was a member in good standing on the incident date.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"Liability claim for {self.member}"
