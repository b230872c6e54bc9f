"""The public ESP pages: career fields, the ESP pages staff edit, spotlight stories and their photos, the
award page. Anyone may read them, signed in or not."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from esp.dates import mississippi_day, mississippi_time
from esp.models import AwardCycle, EspPage, SpotlightStory
from esp.selectors.content import (
    MEMBER_COUNT_SECONDS,
    career_field_member_counts,
    career_field_page,
    current_public_cycle,
    cycle_with_criteria,
    esp_career_fields,
    public_cycles,
)
from esp.selectors.content import published_stories as published
from mae_portal.permissions import is_awards_staff
from members import clock

WHAT_MAE_DOES = "what-mae-does-for-esps"
BILL_OF_RIGHTS = "esp-bill-of-rights"
STORIES_PER_PAGE = 12


def _page(slug):
    return EspPage.objects.filter(slug=slug).first()


@require_GET
def esp_home(request):
    """What MAE does for ESPs, with the way to everything else of the app."""
    return render(request, "esp/esp_page.html", {"page": _page(WHAT_MAE_DOES), "home": True,
                                                 "cycle": current_public_cycle()})


@require_GET
def bill_of_rights(request):
    return render(request, "esp/esp_page.html", {"page": _page(BILL_OF_RIGHTS)})


@require_GET
def career_fields(request):
    counts = career_field_member_counts(today=clock.today())
    fields = list(esp_career_fields())
    for field in fields:
        field.member_count = counts.of(field)
    return render(request, "esp/career_fields.html", {
        "fields": fields, "counted_at": counts.counted_at, "count_minutes": MEMBER_COUNT_SECONDS // 60,
    })


@require_GET
def career_field(request, slug):
    field = career_field_page(slug)
    if field is None:
        raise Http404("No such ESP career field.")
    counts = career_field_member_counts(today=clock.today())
    return render(request, "esp/career_field.html", {
        "field": field, "member_count": counts.of(field), "counted_at": counts.counted_at,
        "count_minutes": MEMBER_COUNT_SECONDS // 60, "resources": list(field.resources.all()),
        "stories": field.published_stories,
    })


@require_GET
def stories(request):
    page = Paginator(published(), STORIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "esp/stories.html", {"page": page})


@require_GET
def story_detail(request, slug):
    story = get_object_or_404(SpotlightStory.objects.select_related("member", "career_field"), slug=slug,
                              status=SpotlightStory.Status.PUBLISHED)
    return render(request, "esp/story.html", {"story": story})


@require_GET
def story_photo(request, slug):
    """A published story's photo, for anyone: the core's download door stays closed to signed-out visitors, so
    this view streams the one stored image of a story while, and only while, the story is published."""
    story = get_object_or_404(SpotlightStory.objects.select_related("photo"), slug=slug,
                              status=SpotlightStory.Status.PUBLISHED, photo__isnull=False)
    document = story.photo
    if document.status != document.Status.READY or not document.content_type.startswith("image/"):
        raise Http404("No photo.")
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _award(request, cycle):
    review = [c for c in cycle.criteria.all() if c.round == "review"]
    total = sum(c.weight for c in review) or 1
    for criterion in review:
        criterion.share = round(100 * criterion.weight / total)
    equal = len({c.weight for c in review}) <= 1
    dates = [
        ("Nominations open", mississippi_time(cycle.nominations_open_at)),
        ("Nominations close", mississippi_time(cycle.nominations_close_at)),
        ("Screening ends", mississippi_day(cycle.screening_ends_on)),
        ("Review", f"{mississippi_day(cycle.review_opens_on)} to {mississippi_day(cycle.review_closes_on)}"),
        ("Finalists named", mississippi_day(cycle.finalists_on)),
        ("Winner announced", mississippi_day(cycle.winner_on)),
    ]
    others = list(public_cycles().exclude(pk=cycle.pk).order_by("-year").values_list("year", flat=True)[:10])
    return render(request, "esp/award.html", {
        "cycle": cycle, "criteria": review, "equal_weights": equal, "dates": dates,
        "closes_at": mississippi_time(cycle.nominations_close_at), "other_years": others,
        "taking_nominations": cycle.phase == cycle.Phase.NOMINATIONS,
    })


@require_GET
def award(request):
    cycle = current_public_cycle()
    if cycle is None:
        return render(request, "esp/award_none.html")
    return _award(request, cycle_with_criteria(public_cycles(), pk=cycle.pk))


@require_GET
def award_year(request, year):
    """A year's award page; a cycle still being prepared is shown to awards staff only (a preview)."""
    scope = AwardCycle.objects.all() if is_awards_staff(request.user) else public_cycles()
    try:
        cycle = cycle_with_criteria(scope, year=year)
    except AwardCycle.DoesNotExist:
        raise Http404("No award cycle for that year.") from None
    return _award(request, cycle)
