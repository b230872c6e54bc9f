"""Reads of the intake queue and of a person's own requests."""

from django.db.models import Case, IntegerField, Value, When

from advocacy.models import CaseDocument, RepresentationRequest
from advocacy.rules import requests_for_staff, requests_of_member

URGENCY_ORDER = Case(
    When(urgency=RepresentationRequest.Urgency.DEADLINE, then=Value(0)),
    When(urgency=RepresentationRequest.Urgency.SOON, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)

REQUEST_RELATED = ("region", "district", "worksite", "requester", "member__career_field", "decided_by")


def intake_queue(user, *, status=RepresentationRequest.Status.NEW):
    """The requests this user works with `status` (new by default): the most urgent first, then the oldest."""
    return (requests_for_staff(user).filter(status=status).select_related(*REQUEST_RELATED)
            .annotate(urgency_rank=URGENCY_ORDER).order_by("urgency_rank", "created_at", "pk"))


def intake_request(user):
    """The scope a request's intake page loads through."""
    return requests_for_staff(user).select_related(*REQUEST_RELATED)


def request_documents(request):
    return CaseDocument.objects.filter(request=request).select_related("document", "added_by").order_by("added_at", "pk")


def own_requests(user):
    """The requests the user made, newest first, with the case each opened."""
    return requests_of_member(user).select_related("district", "worksite", "region", "case").order_by("-created_at", "-pk")
