"""Reads of the public ESP pages: career fields with their live member counts, stories, resources, cycles."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.utils import timezone

from esp.models import AwardCycle, CareerFieldResource, Criterion, SpotlightStory
from members.models import CareerField, Member, RenewalPolicy
from members.selectors.search import members_with_status

# The counts are worked out for every field in one query and kept this long: a field's page says how fresh
# its number is ("as of 10:40 a.m."), and a new member shows within this many seconds.
MEMBER_COUNT_SECONDS = 300


@dataclass(frozen=True)
class FieldCounts:
    counts: dict  # career field pk -> members with an active membership this year
    counted_at: datetime

    def of(self, field) -> int:
        return self.counts.get(field.pk, 0)


def _count_key(today: date) -> str:
    return f"esp:career-field-members:{today.isoformat()}"


def career_field_member_counts(*, today: date) -> FieldCounts:
    """How many members of each ESP career field are active members today (members_with_status: their term of
    the current membership year is active), counted at most MEMBER_COUNT_SECONDS ago."""
    key = _count_key(today)
    found = cache.get(key)
    if found is not None:
        return FieldCounts(counts=found["counts"], counted_at=found["counted_at"])
    grace = RenewalPolicy.current().grace_period_days
    members = members_with_status(Member.objects.filter(career_field__kind=CareerField.Kind.ESP), today=today,
                                  grace_days=grace).filter(membership_status="active")
    counts = dict(members.order_by().values_list("career_field_id").annotate(n=Count("pk")).values_list("career_field_id", "n"))
    counted_at = timezone.now()
    cache.set(key, {"counts": counts, "counted_at": counted_at}, MEMBER_COUNT_SECONDS)
    return FieldCounts(counts=counts, counted_at=counted_at)


def esp_career_fields():
    return CareerField.objects.filter(kind=CareerField.Kind.ESP).order_by("sort_order", "name")


def published_stories():
    """Published stories, newest first, with what a list shows (member, field, photo id)."""
    return (SpotlightStory.objects.filter(status=SpotlightStory.Status.PUBLISHED)
            .select_related("member", "career_field")
            .only("title", "slug", "summary", "photo_id", "photo_alt", "published_at", "member__preferred_name",
                  "member__legal_first_name", "member__legal_last_name", "member__member_number",
                  "career_field__name", "career_field__slug")
            .order_by("-published_at", "-pk"))


def latest_stories(limit: int = 3):
    return published_stories()[:limit]


def career_field_page(slug: str):
    """The ESP career field with its resources and published stories prefetched (three queries), or None."""
    return (esp_career_fields().filter(slug=slug)
            .prefetch_related(Prefetch("resources", queryset=CareerFieldResource.objects.order_by("sort_order", "title")),
                              Prefetch("spotlight_stories", queryset=published_stories(), to_attr="published_stories"))
            .first())


def stories_for_staff():
    return SpotlightStory.objects.select_related("member", "career_field", "consent_recorded_by").order_by(
        "-updated_at", "-pk")


def public_cycles():
    """Cycles the public may read: every cycle past its draft."""
    return AwardCycle.objects.exclude(phase=AwardCycle.Phase.DRAFT)


def current_public_cycle():
    """The cycle the award page is about: the latest year past its draft, or None."""
    return public_cycles().order_by("-year").first()


def cycle_with_criteria(queryset, **lookup):
    return queryset.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("round", "order"))).get(**lookup)
