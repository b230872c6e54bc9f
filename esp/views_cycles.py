"""Awards staff open award cycles, change them and move them through their phases."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from esp.dates import mississippi_day, mississippi_time
from esp.forms_content import CycleForm, PhaseForm
from esp.models import AwardCycle
from esp.services.cycles import CycleError, cycle_create, cycle_phase_set, cycle_update, phase_moves, rules_locked
from esp.views_content_staff import awards_staff_required


def _refused(form, error: CycleError):
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


@require_GET
@awards_staff_required
def cycle_list(request):
    cycles = AwardCycle.objects.order_by("-year")
    return render(request, "esp/staff/cycles.html", {"cycles": cycles})


@awards_staff_required
def cycle_new(request):
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_create(data=form.cycle_data(), review_weights=form.review_weights(),
                                 interview_criteria=form.interview_criteria(), actor=request.user)
        except CycleError as error:
            _refused(form, error)
        else:
            messages.success(request, f"The {cycle.year} cycle is open as a draft. Move it to “Taking nominations” "
                                      "when it is ready.")
            return redirect("esp:staff_cycle", year=cycle.year)
    return render(request, "esp/staff/cycle_edit.html", {"form": form, "cycle": None})


@awards_staff_required
def cycle_edit(request, year):
    cycle = get_object_or_404(AwardCycle, year=year)
    criteria = list(cycle.criteria.order_by("round", "order"))
    locked = rules_locked(cycle)
    form = CycleForm(request.POST or None, instance=get_object_or_404(AwardCycle, pk=cycle.pk), criteria=criteria,
                     locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            changes = cycle_update(cycle=cycle, data=form.cycle_data(),
                                   review_weights=None if locked else form.review_weights(),
                                   interview_criteria=None if locked else form.interview_criteria(), actor=request.user)
        except CycleError as error:
            _refused(form, error)
        else:
            messages.success(request, "The cycle is saved." if changes else "Nothing changed.")
            return redirect("esp:staff_cycle", year=cycle.year)
    return render(request, "esp/staff/cycle_edit.html", {
        "form": form, "cycle": cycle, "locked": locked, "moves": phase_moves(cycle),
        "closes_at": mississippi_time(cycle.nominations_close_at), "winner_on": mississippi_day(cycle.winner_on),
    })


@awards_staff_required
def cycle_phase(request, year):
    """Choose the next (or previous) phase, then confirm it."""
    cycle = get_object_or_404(AwardCycle, year=year)
    form = PhaseForm(request.POST or None, moves=phase_moves(cycle),
                     initial={"phase": request.GET.get("phase", "")})
    confirm = None
    if request.method == "POST" and form.is_valid():
        phase = form.cleaned_data["phase"]
        if "confirm" in request.POST:
            try:
                cycle_phase_set(cycle=cycle, phase=phase, actor=request.user)
            except CycleError as error:
                _refused(form, error)
            else:
                messages.success(request, f"The {cycle.year} cycle is now “{AwardCycle.Phase(phase).label}”.")
                return redirect("esp:staff_cycle", year=cycle.year)
        else:
            confirm = AwardCycle.Phase(phase).label
    return render(request, "esp/staff/cycle_phase.html", {"form": form, "cycle": cycle, "confirm": confirm})
