"""Reads of the public ESP pages: career fields with their live member counts, stories, resources, cycles."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.utils import timezone

from esp.models import AwardCycle, CareerFieldResource, Criterion, SpotlightStory
from members.models import CareerField, Member, MembershipTerm, RenewalPolicy
from members.selectors.search import terms_with_status

# The counts are worked out for every field in one query (about 2 s on a roster of 100,000: see
# tests/bench/bench_esp_content.py) and kept MEMBER_COUNT_SECONDS; a periodic job (esp.tasks_content) counts again
# every MEMBER_COUNT_REFRESH_SECONDS, before they expire, so that no visitor waits for the count. Each page says
# when its number was counted ("as of 10:40 a.m.").
MEMBER_COUNT_SECONDS = 300
MEMBER_COUNT_REFRESH_SECONDS = 240


@dataclass(frozen=True)
class FieldCounts:
    counts: dict  # career field pk -> members with an active membership term this membership year
    counted_at: datetime

    def of(self, field) -> int:
        return self.counts.get(field.pk, 0)


def _count_key(today: date) -> str:
    return f"esp:career-field-members:{today.isoformat()}"


def count_career_field_members(*, today: date) -> dict:
    """{career field pk: members of that ESP field with an active term covering today}, "active" as members' own
    terms_with_status says it (paid up, or up to date with its installments)."""
    grace = RenewalPolicy.current().grace_period_days
    terms = terms_with_status(
        MembershipTerm.objects.filter(period__contains=today, cancelled_at__isnull=True,
                                      member__career_field__kind=CareerField.Kind.ESP),
        today=today, grace_days=grace)
    active = terms.filter(status_sql="active").values("member_id")
    rows = Member.objects.filter(pk__in=active).order_by().values_list("career_field_id").annotate(n=Count("pk"))
    return dict(rows.values_list("career_field_id", "n"))


def career_field_member_counts_refresh(*, today: date) -> FieldCounts:
    found = FieldCounts(counts=count_career_field_members(today=today), counted_at=timezone.now())
    cache.set(_count_key(today), {"counts": found.counts, "counted_at": found.counted_at}, MEMBER_COUNT_SECONDS)
    return found


def career_field_member_counts(*, today: date) -> FieldCounts:
    """The counts of count_career_field_members, as counted at most MEMBER_COUNT_SECONDS ago."""
    found = cache.get(_count_key(today))
    if found is not None:
        return FieldCounts(counts=found["counts"], counted_at=found["counted_at"])
    return career_field_member_counts_refresh(today=today)


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
