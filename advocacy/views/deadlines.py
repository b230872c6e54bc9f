"""Staff pages of the deadline engine: the case page's deadlines panel (and the same panel as a page of its
own), recording an event, overriding a date, recording an agreed extension, and the read-only case types.

Every form is confirmed before it acts: the first send checks it (the service runs inside a savepoint that
is rolled back, so the review only appears for what the service accepts) and shows what will happen; the
confirmation records it and returns to the page the form came from. Errors stand next to their field.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from advocacy.deadline_forms import CaseEventForm, DeadlineExtensionForm, DeadlineMissedForm, DeadlineOverrideForm
from advocacy.deadlines import DeadlineError, day_label, days_left, is_overdue
from advocacy.models import CaseDeadline, CaseEvent, StepRule
from advocacy.selectors.case_types import case_types_with_ladders
from advocacy.services import deadlines as services
from advocacy.views.common import case_worker_required, staff_case
from mae_portal.access import get_visible_or_404
from mae_portal.audit import audit_record, client_ip
from members import clock

DATE_CHANGES = (CaseEvent.Kind.EXTENSION, CaseEvent.Kind.OVERRIDE)


@dataclass
class StepRow:
    step: StepRule
    deadline: CaseDeadline | None
    state: str  # met, missed, moot, overdue, today, open, waiting, error
    days_left: int | None = None
    waiting: str = ""

    @property
    def limit(self) -> str:
        """"10 working days after the incident", "at least 14 calendar days before the hearing"."""
        step = self.step
        text = f"{step.days} {step.get_unit_display()} {step.get_direction_display()} {services.anchor_label(step)}"
        return f"At least {text}" if step.direction == StepRule.Direction.BEFORE else text[0].upper() + text[1:]

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left and self.days_left < 0 else 0


def _state(deadline, today):
    if deadline.status != CaseDeadline.Status.OPEN:
        return deadline.status, None
    left = days_left(deadline.due, today)
    if is_overdue(deadline.due, today):
        return "overdue", left
    return ("today" if left == 0 else "open"), left


def _starts_when(step) -> str:
    if step.anchor_step_id:
        return f"Starts when “{step.anchor_step.name}” is recorded done."
    label = CaseEvent.Kind(step.anchor_event).label if step.anchor_event in CaseEvent.Kind.values else step.anchor_event
    return f"Starts when “{label}” is recorded on the timeline."


def step_rows(case, today) -> list[StepRow]:
    """Each step of the case's ladder with its deadline and what to show about it: three queries, plus
    one to say why a date could not be computed when that happens."""
    steps = list(StepRule.objects.filter(version_id=case.case_type_version_id).select_related("anchor_step")
                 .order_by("order"))
    deadlines = {d.step_id: d for d in case.deadlines.select_related("overridden_by", "extension")}
    timeline = None
    rows = []
    for step in steps:
        deadline = deadlines.get(step.pk)
        if deadline is not None:
            state, left = _state(deadline, today)
            rows.append(StepRow(step, deadline, state, left))
            continue
        if timeline is None:
            timeline = services.case_timeline(case)
        anchor, label = timeline.anchor(step)
        if anchor is None:
            rows.append(StepRow(step, None, "waiting", waiting=_starts_when(step)))
            continue
        try:
            services.Calendars().due(case.district, step, anchor, label)
            message = "Not computed yet: reload the page."
        except DeadlineError as error:
            message = str(error)
        rows.append(StepRow(step, None, "error", waiting=message))
    return rows


def deadlines_panel_context(case, request) -> dict:
    """The case page's deadlines panel (advocacy.case_panels): the ladder, the date changes, the event form."""
    today = clock.today()
    return {
        "rows": step_rows(case, today), "today": today,
        "date_changes": case.events.filter(kind__in=DATE_CHANGES).select_related("step", "recorded_by")
                                   .order_by("-recorded_at"),
        "event_form": CaseEventForm(case=case, next_url=request.get_full_path(), auto_id="event-%s"),
        "next": request.get_full_path(),
    }


def _next_url(request, case, form=None):
    """Back to the page the form came from when it is one of this case's pages, else the deadlines page."""
    value = (form.cleaned_data.get("next") if form is not None and form.is_bound and hasattr(form, "cleaned_data")
             else None) or request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/advocacy/cases/{case.pk}/"
    if value.startswith(prefix) and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return reverse("advocacy:case_deadlines", args=[case.pk])


def _confirmed(request, form, *, case, title, intro, review, run, success, submit_label):
    """Form, then review, then the service. `run(form)` calls the service and returns a message."""
    page = {"form": form, "case": case, "title": title, "intro": intro, "submit_label": submit_label,
            "back_url": _next_url(request, case)}
    if request.method == "POST" and form.is_valid():
        try:
            if "confirm" in request.POST:
                run(form)
                messages.success(request, success(form))
                return redirect(_next_url(request, case, form))
            if "edit" not in request.POST:
                with transaction.atomic():  # would the service accept it? Check, then roll back.
                    run(form)
                    transaction.set_rollback(True)
                return render(request, "advocacy/deadlines/action.html", {**page, "review": review(form)})
        except services.CaseDeadlineError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
    return render(request, "advocacy/deadlines/action.html", page)


def _posted(request):
    return request.POST if request.method == "POST" else None


@case_worker_required
@require_safe
def case_deadlines(request, pk):
    case = staff_case(request, pk)
    audit_record(actor=request.user, action="case.deadlines_viewed", obj=case, ip=client_ip(request))
    context = deadlines_panel_context(case, request)
    return render(request, "advocacy/deadlines/page.html", {"case": case, "panel": context})


@case_worker_required
@require_http_methods(["GET", "POST"])
def case_event_new(request, pk):
    case = staff_case(request, pk)
    form = CaseEventForm(_posted(request), case=case, next_url=_next_url(request, case))

    def review(form):
        data = form.cleaned_data
        rows = [("What happened", CaseEvent.Kind(data["kind"]).label), ("On", day_label(data["occurred_on"]))]
        if data["step"]:
            rows.append(("Step", data["step"].name))
        if data["description"]:
            rows.append(("Details", data["description"]))
        rows.append(("Shown to the member", "Yes" if data["shared"] else "No"))
        return rows

    def run(form):
        data = form.cleaned_data
        return services.case_event_record(case=case, kind=data["kind"], occurred_on=data["occurred_on"],
                                          actor=request.user, step=data["step"], description=data["description"],
                                          shared=data["shared"], ip=client_ip(request), today=clock.today(),
                                          form_token=data["token"])

    return _confirmed(request, form, case=case, title="Record an event", submit_label="Record the event",
                      intro="The deadlines that count from it are computed when it is recorded.", review=review,
                      run=run, success=lambda form: "Event recorded; the deadlines are up to date.")


def _deadline(case, deadline_pk):
    return get_visible_or_404(case.deadlines.select_related("step"), pk=deadline_pk)


@case_worker_required
@require_http_methods(["GET", "POST"])
def deadline_override(request, pk, deadline_pk):
    case = staff_case(request, pk)
    deadline = _deadline(case, deadline_pk)
    form = DeadlineOverrideForm(_posted(request), next_url=_next_url(request, case),
                                initial={"due": deadline.override_due or deadline.due})

    def review(form):
        return [("Step", deadline.step.name), ("Date now", day_label(deadline.due)),
                ("New date", day_label(form.cleaned_data["due"])), ("Reason", form.cleaned_data["reason"])]

    def run(form):
        return services.deadline_override(deadline=deadline, due=form.cleaned_data["due"],
                                          reason=form.cleaned_data["reason"], actor=request.user,
                                          ip=client_ip(request), today=clock.today())

    return _confirmed(request, form, case=case, title=f"Change the date: {deadline.step.name}",
                      intro=f"Computed: {deadline.explanation}", review=review, run=run,
                      submit_label="Change the date",
                      success=lambda form: f"The date is now {day_label(form.cleaned_data['due'])}.")


@case_worker_required
@require_http_methods(["GET", "POST"])
def deadline_extension(request, pk, deadline_pk):
    case = staff_case(request, pk)
    deadline = _deadline(case, deadline_pk)
    form = DeadlineExtensionForm(_posted(request), next_url=_next_url(request, case))

    def review(form):
        data = form.cleaned_data
        return [("Step", deadline.step.name), ("Date now", day_label(deadline.due)),
                ("Extended to", day_label(data["until"])), ("Agreed by", data["agreed_by"]),
                ("Agreed on", day_label(data["agreed_on"])), ("Shown to the member", "Yes" if data["shared"] else "No")]

    def run(form):
        data = form.cleaned_data
        return services.deadline_extension_record(
            deadline=deadline, agreed_by=data["agreed_by"], agreed_on=data["agreed_on"], until=data["until"],
            actor=request.user, ip=client_ip(request), description=data["description"], shared=data["shared"],
            today=clock.today(), form_token=data["token"])

    return _confirmed(request, form, case=case, title=f"Record an extension: {deadline.step.name}",
                      intro=f"Due now {day_label(deadline.due)}. Record what the district agreed to.",
                      review=review, run=run, submit_label="Record the extension",
                      success=lambda form: f"Extension recorded: due {day_label(form.cleaned_data['until'])}.")


@case_worker_required
@require_http_methods(["GET", "POST"])
def deadline_missed(request, pk, deadline_pk):
    case = staff_case(request, pk)
    deadline = _deadline(case, deadline_pk)
    form = DeadlineMissedForm(_posted(request), next_url=_next_url(request, case))

    def review(form):
        return [("Step", deadline.step.name), ("Who had to act", deadline.step.get_party_display()),
                ("Was due", day_label(deadline.due)), ("What it means", deadline.step.consequence)]

    def run(form):
        return services.deadline_missed_record(deadline=deadline, actor=request.user, note=form.cleaned_data["note"],
                                               ip=client_ip(request), today=clock.today())

    return _confirmed(request, form, case=case, title=f"Record as missed: {deadline.step.name}",
                      intro=f"Due {day_label(deadline.due)}. A step that counts from this one then counts from "
                            "that day.", review=review, run=run, submit_label="Record as missed",
                      success=lambda form: f"“{deadline.step.name}” recorded missed.")


@case_worker_required
@require_safe
def case_types(request):
    return render(request, "advocacy/case_types/list.html", {"case_types": case_types_with_ladders()})


@case_worker_required
@require_safe
def case_type_detail(request, pk):
    case_type = get_visible_or_404(case_types_with_ladders(), pk=pk)
    versions = list(case_type.versions.all())
    for version in versions:
        for step in version.steps.all():
            step.counts_from = services.anchor_label(step)
    return render(request, "advocacy/case_types/detail.html", {"case_type": case_type, "versions": versions})
