"""Staff look up whether a person was a member on a given day."""

from django.shortcuts import render

from members import clock
from members.forms.staff import (
    MemberOnDateForm,
)
from members.selectors.terms import term_covering
from members.views.staff.common import membership_staff_required


@membership_staff_required
def member_on_date(request):
    form = MemberOnDateForm(request.GET or None)
    result = None
    if form.is_valid():
        member, day = form.member, form.cleaned_data["day"]
        term = term_covering(member, day)
        result = {"member": member, "day": day, "term": term, "future": day > clock.today(),
                  "covered": term is not None and term.status == "active"}
    return render(request, "members/staff/lookup.html", {"form": form, "result": result})
