"""Members' search tables: stored statuses and the name lexicon (imported by members.models)."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models

# --- Stored membership status, for the staff search's status filters ------------------------------------------------
# A member's status (selectors.search.members_with_status) takes subqueries over their terms and payments; a status
# filter over the whole roster worked it out for every member. It is stored here for the day it was worked out on
# (services.standing): the filter then reads an indexed column. Triggers (migration 0009) queue every member whose
# terms or payments are written, by any code, in StandingStale; the search works those out again before it trusts
# the stored statuses, and falls back to working out every status when the stored ones are of another day.


class MemberStanding(models.Model):
    """A member's status as members_with_status gave it on StandingState.day (never written by the ORM)."""

    member = models.OneToOneField("members.Member", on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True,
                                  related_name="standing")
    status = models.CharField(max_length=10)

    class Meta:
        indexes = [models.Index(fields=["status"], name="member_standing_status_idx")]

    def __str__(self):
        return f"{self.member_id}: {self.status}"


class StandingStale(models.Model):
    """A member whose terms or payments were written since their status was stored (filled by triggers)."""

    member_id = models.BigIntegerField(primary_key=True)

    def __str__(self):
        return str(self.member_id)


class StandingState(models.Model):
    """One row (pk=1): the day and grace period the stored statuses were worked out for."""

    day = models.DateField()
    grace_days = models.PositiveSmallIntegerField()
    refreshed_at = models.DateTimeField()

    def __str__(self):
        return f"Statuses of {self.day} (grace {self.grace_days} days)"


class NameLexicon(models.Model):
    """Every last and first name a member has or had (filled by a trigger, migration 0010; never emptied): the
    staff search matches a word against these few thousand names, then finds the members by name (an equality
    on an index), instead of matching it against a hundred thousand rows' trigram index."""

    class Kind(models.TextChoices):
        LAST = "last", "Last name"
        FIRST = "first", "First name"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    name = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="name_lexicon_unique")]
        indexes = [GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="name_lexicon_trgm")]

    def __str__(self):
        return f"{self.kind}: {self.name}"
