"""The staff member search."""

from django.shortcuts import render

from members import clock
from members.forms.staff import (
    StaffSearchForm,
)
from members.models import RenewalPolicy
from members.selectors.search import MEMBER_STATUSES, member_search_page
from members.services.standing import member_standing_ready
from members.views.staff.common import membership_staff_required

SEARCH_PAGE_SIZE = 50


@membership_staff_required
def member_search(request):
    form = StaffSearchForm(request.GET or None)
    grace = RenewalPolicy.current().grace_period_days
    filters = form.cleaned_data if form.is_valid() else {}
    today = clock.today()
    # The statuses stored for today, once those of members changed since are worked out (else each is worked out).
    stored = member_standing_ready(today=today, grace_days=grace)
    page = member_search_page(
        page_number=request.GET.get("page"), per_page=SEARCH_PAGE_SIZE,
        query=filters.get("q", ""), status=filters.get("status", ""), category=filters.get("category"),
        career_field=filters.get("career_field"), local=filters.get("local"), region=filters.get("region"),
        today=today, grace_days=grace, stored_status=stored,
    )
    labels = dict(MEMBER_STATUSES)
    for member in page:
        member.status_label = labels.get(member.membership_status, member.membership_status)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/staff/search.html", {
        "form": form, "page": page, "query": query.urlencode(), "searched": bool(query),
    })
