"""Renewal notices sent and staff notes on members (imported by members.models)."""

from django.db import models


class RenewalNotice(models.Model):
    """A renewal notice sent: at most one per term and rule."""

    term = models.ForeignKey("members.MembershipTerm", on_delete=models.CASCADE, related_name="notices")
    rule = models.ForeignKey("members.RenewalNoticeRule", on_delete=models.PROTECT, related_name="notices")
    sent_on = models.DateField()
    email = models.ForeignKey("mae_portal.EmailDelivery", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-sent_on"]
        constraints = [models.UniqueConstraint(fields=["term", "rule"], name="one_notice_per_term_and_rule")]

    def __str__(self):
        return f"Notice {self.rule} for {self.term} on {self.sent_on}"


class MemberNote(models.Model):
    """A staff note on a member's record."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("members.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note by {self.author} on {self.created_at:%Y-%m-%d}"
