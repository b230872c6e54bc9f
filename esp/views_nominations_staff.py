"""Screening, for awards staff (and admins): the submitted nominations of a cycle with their eligibility,
a pass or fail with a note the nominator sees, and a re-check of eligibility against today's records.

Everyone else gets 403 on every page here, whatever the object, so the answer says nothing about which
nominations exist. Two-factor authentication is enforced for awards staff by RequireMFAMiddleware, as for
every staff page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from esp.forms_nominations import ScreenForm
from esp.models import AwardCycle, Nomination
from esp.rules import nominations_for_staff
from esp.selectors.nominations import checklist, screening_list, with_parts
from esp.services import nominations as services
from esp.services.nominations import NominationError
from mae_portal.access import get_visible_or_404
from mae_portal.permissions import is_awards_staff
from members import clock


def _posted(request):
    """(data, files) of a POST, even an empty one (a bound form shows its errors); (None, None) otherwise."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def awards_staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_awards_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@awards_staff_required
def screening_cycles(request):
    return render(request, "esp/nominations/staff/cycles.html", {"cycles": AwardCycle.objects.order_by("-year")})


@require_GET
@awards_staff_required
def screening_list_view(request, year):
    cycle = get_object_or_404(AwardCycle, year=year)
    return render(request, "esp/nominations/staff/list.html", {"cycle": cycle, "nominations": screening_list(cycle)})


def _nomination(request, year, pk):
    return get_visible_or_404(with_parts(nominations_for_staff(request.user)).exclude(status=Nomination.Status.DRAFT),
                              pk=pk, cycle__year=year)


@awards_staff_required
def screening_detail(request, year, pk):
    nomination = _nomination(request, year, pk)
    form = ScreenForm(*_posted(request)[:1], initial={"note": nomination.screening_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_screen(nomination=nomination, passed=form.cleaned_data["decision"] == "pass",
                                       note=form.cleaned_data["note"], actor=request.user, now=timezone.now())
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Screening of {nomination.nominee.display_name} recorded; the nominator is told.")
            return redirect("esp:screening_list", year)
    statements = {s.criterion_id: s for s in nomination.statements.all()}
    return render(request, "esp/nominations/staff/detail.html", {
        "nomination": nomination, "form": form, "checklist": checklist(nomination),
        "statements": [(c, statements.get(c.pk)) for c in nomination.cycle.criteria.all()],
        "letters": list(nomination.letters.all()),
    })


@require_POST
@awards_staff_required
def screening_recheck(request, year, pk):
    nomination = _nomination(request, year, pk)
    nomination = services.nomination_recheck(nomination=nomination, actor=request.user, today=clock.today())
    passed = nomination.eligibility.get("passed")
    messages.success(request, "Eligibility checked again: " + ("it passes." if passed else "it does not pass."))
    return redirect("esp:screening_detail", year, pk)
