"""The deadline engine's use cases: a case's deadlines from its timeline, events, overrides, extensions, and
recomputing when the holiday, closure or school calendars change.

Rules the engine keeps (and tests/advocacy/test_deadline_services.py checks):

- One CaseDeadline per step of the case's version whose count can start: its anchor event is on the
  timeline (the latest one recorded wins: a rescheduled hearing moves the steps counted back from it), or
  its anchor step is recorded done. A grievance's first step counts from the incident: until an incident
  event is recorded, the incident date of the request the case came from is used.
- Computing writes `anchor_date`, `computed_due` and `explanation` only; a director's `override_due` and an
  agreed `extended_due` are never rewritten. Which date counts is `CaseDeadline.due` (override, else
  extension, else computed).
- A step recorded done closes its deadline: met when done on or before the date that counts, missed when
  done after it. "Overdue" is never stored: it is an open deadline whose date has passed, computed against
  the day the page is shown (advocacy.deadlines.is_overdue), so no nightly job changes a status. Once the
  date has passed, a director may record the deadline missed (deadline_missed_record: the district never
  answered); a step counting from it then counts from its due date, and the current step moves on.
- Recomputing after a calendar change (deadlines_recompute) touches open deadlines without an override only.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from advocacy.deadlines import SCHOOL, DeadlineError, SchoolCalendar, compute_due, day_label
from advocacy.models import CaseDeadline, CaseEvent, GrievanceCase, SchoolBreak, SchoolYear, StepRule
from mae_portal.audit import audit_record
from mae_portal.models import AuditLog
from members.selectors.calendar import business_calendar_for

logger = logging.getLogger(__name__)

DEADLINE_AUDIT_ACTIONS = {
    "case.event_recorded": "Case event recorded",
    "case.deadlines_viewed": "Case deadlines viewed",
    "deadline.computed": "Deadline computed",
    "deadline.met": "Deadline met",
    "deadline.missed": "Deadline missed",
    "deadline.overridden": "Deadline date overridden",
    "deadline.extended": "Deadline extended by agreement",
    "deadline.recomputed": "Deadline recomputed after a calendar change",
}

# The kinds a director records through case_event_record; extensions, overrides and status changes have
# their own services.
RECORDABLE_KINDS = (CaseEvent.Kind.NOTICE_RECEIVED, CaseEvent.Kind.HEARING_SCHEDULED, CaseEvent.Kind.DECISION_RECEIVED,
                    CaseEvent.Kind.STEP_DONE, CaseEvent.Kind.INCIDENT, CaseEvent.Kind.OTHER)
ANCHOR_LABELS = {
    CaseEvent.Kind.INCIDENT: "the incident",
    CaseEvent.Kind.NOTICE_RECEIVED: "notice received",
    CaseEvent.Kind.HEARING_SCHEDULED: "the hearing",
    CaseEvent.Kind.DECISION_RECEIVED: "the decision received",
}
WORKED = (GrievanceCase.Status.OPEN, GrievanceCase.Status.ON_HOLD)


class CaseDeadlineError(ValueError):
    """A request the engine refuses; `field` names the form field it is about (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def anchor_label(step) -> str:
    """What a step counts from, in words: "notice received", "the hearing", 'the step "Level 1: ..." done'."""
    if step.anchor_step_id:
        return f'the step "{step.anchor_step.name}" done'
    if step.anchor_event in ANCHOR_LABELS:
        return ANCHOR_LABELS[step.anchor_event]
    if step.anchor_event in CaseEvent.Kind.values:
        return CaseEvent.Kind(step.anchor_event).label.lower()
    return step.anchor_event.replace("_", " ")


class Calendars:
    """The business and school calendars of districts, loaded once per district (and year) per run."""

    def __init__(self):
        self._business, self._school = {}, {}

    def business(self, district, year: int):
        key = (district.pk, year)
        if key not in self._business:
            self._business[key] = business_calendar_for(district, years=range(year - 1, year + 3))
        return self._business[key]

    def school(self, district) -> SchoolCalendar:
        if district.pk not in self._school:
            self._school[district.pk] = SchoolCalendar.of(SchoolYear.objects.filter(district=district),
                                                          SchoolBreak.objects.filter(district=district))
        return self._school[district.pk]

    def due(self, district, step, anchor: date, label: str | None = None):
        """advocacy.deadlines.Due of `step` counted from `anchor` in `district` (DeadlineError if it cannot be)."""
        school = self.school(district) if step.unit == SCHOOL else None
        return compute_due(step, anchor, self.business(district, anchor.year), school=school,
                           anchor_label=label or anchor_label(step))


def missed_anchor_label(step) -> str:
    return f'the due date of "{step.anchor_step.name}" (missed)'


@dataclass
class Timeline:
    """What a case's steps count from: `events` {event kind: the day of the latest one recorded}, `done`
    {step id: the day it was recorded done}, `missed` {step id: the due date of a step recorded missed
    without being done: the next step counts from that day, as a policy's "if no answer is given in time,
    the employee may go to the next level" does}."""

    events: dict
    done: dict
    missed: dict

    def anchor(self, step) -> tuple[date | None, str]:
        """(the day `step` counts from or None while unknown, how to name it in the explanation)."""
        if not step.anchor_step_id:
            return self.events.get(step.anchor_event), anchor_label(step)
        if step.anchor_step_id in self.done:
            return self.done[step.anchor_step_id], anchor_label(step)
        if step.anchor_step_id in self.missed:
            return self.missed[step.anchor_step_id], missed_anchor_label(step)
        return None, anchor_label(step)


def case_timeline(case) -> Timeline:
    """The case's Timeline (two queries)."""
    events, done = {}, {}
    for kind, step_id, occurred_on in (case.events.filter(kind__in=RECORDABLE_KINDS)
                                       .order_by("recorded_at", "pk").values_list("kind", "step_id", "occurred_on")):
        if kind == CaseEvent.Kind.STEP_DONE:
            if step_id:
                done[step_id] = occurred_on
        else:
            events[kind] = occurred_on
    if CaseEvent.Kind.INCIDENT not in events and case.request_id:
        incident = case.request.incident_date
        if incident:
            events[CaseEvent.Kind.INCIDENT] = incident
    missed = {deadline.step_id: deadline.due for deadline in
              case.deadlines.filter(status=CaseDeadline.Status.MISSED, done_on__isnull=True)}
    return Timeline(events, done, missed)


def _state(deadline):
    return (deadline.anchor_date, deadline.computed_due, deadline.explanation, deadline.status, deadline.done_on)


def _closing_status(deadline, done_on):
    return CaseDeadline.Status.MET if done_on <= deadline.due else CaseDeadline.Status.MISSED


@transaction.atomic
def case_deadlines_refresh(*, case, today=None):
    """Bring the case's deadlines in line with its timeline (see the module's rules) and set
    case.current_step to the first step not recorded done. Returns the case's deadlines in step order.
    `today` is accepted for the callers; nothing the engine stores depends on it."""
    given, case = case, GrievanceCase.objects.select_for_update(of=("self",)).select_related("request", "district").get(pk=case.pk)
    steps = list(StepRule.objects.filter(version_id=case.case_type_version_id).select_related("anchor_step")
                 .order_by("order"))
    timeline = case_timeline(case)
    done = timeline.done
    existing = {deadline.step_id: deadline for deadline in case.deadlines.all()}
    calendars = Calendars()
    result = []
    for step in steps:
        anchor, label = timeline.anchor(step)
        deadline = existing.get(step.pk)
        if anchor is None:
            if deadline is not None:
                result.append(deadline)
            continue
        try:
            due = calendars.due(case.district, step, anchor, label)
        except DeadlineError as error:
            # The panel shows why; the director can still set the date by hand (override).
            logger.warning("case %s, step %s: %s", case.pk, step.pk, error)
            if deadline is not None:
                result.append(deadline)
            continue
        created = deadline is None
        if created:
            deadline = CaseDeadline(case=case, step=step)
        before = None if created else _state(deadline)
        deadline.anchor_date, deadline.computed_due, deadline.explanation = anchor, due.due, due.explanation
        done_on = done.get(step.pk)
        if done_on is not None and deadline.status != CaseDeadline.Status.MOOT:
            deadline.status, deadline.done_on = _closing_status(deadline, done_on), done_on
        if before != _state(deadline):
            deadline.save()
        if before is None or before[:2] != (deadline.anchor_date, deadline.computed_due):
            audit_record(actor=None, action="deadline.computed", obj=deadline, subject=case,
                         changes={"step": step.name, "anchor_date": str(anchor), "computed_due": str(due.due)})
        closed_now = before is None or before[3] != deadline.status
        if closed_now and deadline.status in (CaseDeadline.Status.MET, CaseDeadline.Status.MISSED):
            audit_record(actor=None, action=f"deadline.{deadline.status}", obj=deadline, subject=case,
                         changes={"step": step.name, "done_on": str(done_on), "due": str(deadline.due)})
        result.append(deadline)
    passed = {deadline.step_id for deadline in result
              if deadline.status in (CaseDeadline.Status.MISSED, CaseDeadline.Status.MOOT)}
    current = next((step for step in steps if step.pk not in done and step.pk not in passed), None)
    if case.current_step_id != (current.pk if current else None):
        case.current_step = current
        case.save(update_fields=["current_step", "updated_at"])
    given.current_step = case.current_step  # the caller's copy must not save an old step back
    return result


def _sent_before(case, action: str, form_token: str | None):
    """The changes of the audit entry a form with this token made already (a double submit), or None."""
    if not form_token:
        return None
    return (AuditLog.objects.filter(subject_type=ContentType.objects.get_for_model(GrievanceCase),
                                    subject_id=str(case.pk), action=action, changes__form_token=str(form_token))
            .values_list("changes", flat=True).first())


def _require_worked(case):
    if case.status not in WORKED:
        raise CaseDeadlineError("The case is closed: its timeline and deadlines can no longer change.")


def _validate_event(case, kind, occurred_on, step, today, timeline):
    anchors, done = timeline.events, timeline.done
    if kind not in RECORDABLE_KINDS:
        raise CaseDeadlineError("Choose what happened.", "kind")
    if occurred_on is None:
        raise CaseDeadlineError("Enter the day it happened.", "occurred_on")
    if kind != CaseEvent.Kind.HEARING_SCHEDULED and occurred_on > today:
        raise CaseDeadlineError(f"That day is in the future (today is {day_label(today)}). Only a hearing is "
                                "recorded ahead of time.", "occurred_on")
    if kind == CaseEvent.Kind.STEP_DONE:
        if step is None:
            raise CaseDeadlineError("Choose the step that was done.", "step")
        if step.version_id != case.case_type_version_id:
            raise CaseDeadlineError("That step is not on this case's ladder.", "step")
        if step.pk in done:
            raise CaseDeadlineError(f'"{step.name}" is already recorded done on {day_label(done[step.pk])}.', "step")
        anchor, label = timeline.anchor(step)
        if anchor is not None and step.direction == StepRule.Direction.AFTER and occurred_on < anchor:
            raise CaseDeadlineError(f"This step counts from {label} on {day_label(anchor)}: it cannot "
                                    "be done before that day.", "occurred_on")
    elif step is not None and step.version_id != case.case_type_version_id:
        raise CaseDeadlineError("That step is not on this case's ladder.", "step")
    notice = anchors.get(CaseEvent.Kind.NOTICE_RECEIVED)
    if kind == CaseEvent.Kind.HEARING_SCHEDULED and notice and occurred_on < notice:
        raise CaseDeadlineError(f"The hearing cannot come before the notice, received {day_label(notice)}.",
                                "occurred_on")
    if kind == CaseEvent.Kind.NOTICE_RECEIVED and anchors.get(CaseEvent.Kind.HEARING_SCHEDULED) \
            and occurred_on > anchors[CaseEvent.Kind.HEARING_SCHEDULED]:
        raise CaseDeadlineError("The notice cannot come after the hearing, scheduled for "
                                f"{day_label(anchors[CaseEvent.Kind.HEARING_SCHEDULED])}.", "occurred_on")
    hearing = anchors.get(CaseEvent.Kind.HEARING_SCHEDULED)
    if kind == CaseEvent.Kind.DECISION_RECEIVED and hearing and occurred_on < hearing:
        raise CaseDeadlineError(f"The decision cannot come before the hearing on {day_label(hearing)}.",
                                "occurred_on")


@transaction.atomic
def case_event_record(*, case, kind, occurred_on, actor, step=None, description="", shared=False, ip=None,
                      today=None, form_token=None):
    """Record what happened on the case (notice received, hearing scheduled for `occurred_on`, decision
    received, a step done, the incident, anything else) and refresh its deadlines. A hearing recorded again
    is a rescheduled hearing: the steps counted back from it move. The same `form_token` records once.
    Refuses (CaseDeadlineError) a closed case, a day in the future (except a hearing), a hearing before the
    notice, a decision before the hearing, a step of another ladder, a step already done or done before
    its count started."""
    case = GrievanceCase.objects.select_for_update(of=("self",)).select_related("request").get(pk=case.pk)
    sent = _sent_before(case, "case.event_recorded", form_token)
    if sent:
        return CaseEvent.objects.get(pk=sent["event"])
    _require_worked(case)
    today = today or timezone.localdate()
    _validate_event(case, kind, occurred_on, step, today, case_timeline(case))
    description = (description or "").strip()
    if kind == CaseEvent.Kind.OTHER and not description:
        raise CaseDeadlineError("Say what happened.", "description")
    event = CaseEvent.objects.create(case=case, kind=kind, occurred_on=occurred_on,
                                     step=step if kind == CaseEvent.Kind.STEP_DONE or step else None,
                                     description=description, shared=bool(shared), recorded_by=actor)
    audit_record(actor=actor, action="case.event_recorded", obj=event, subject=case, ip=ip,
                 changes={"event": event.pk, "kind": kind, "occurred_on": str(occurred_on),
                          "step": step.name if step else "", "shared": bool(shared), "form_token": form_token or ""})
    case_deadlines_refresh(case=case, today=today)
    return event


def _locked_deadline(deadline):
    deadline = (CaseDeadline.objects.select_for_update(of=("self",)).select_related("case", "step")
                .get(pk=deadline.pk))
    _require_worked(deadline.case)
    return deadline


@transaction.atomic
def deadline_override(*, deadline, due, reason, actor, ip=None, today=None):
    """Set the date that counts for this deadline by hand, with the reason (required). The computed date and
    its explanation stay, and recomputing never moves an overridden date. Recorded on the timeline."""
    deadline = _locked_deadline(deadline)
    reason = (reason or "").strip()
    if due is None:
        raise CaseDeadlineError("Enter the new due date.", "due")
    if not reason:
        raise CaseDeadlineError("Say why the date is changed: it is shown next to the date.", "reason")
    if deadline.status != CaseDeadline.Status.OPEN:
        raise CaseDeadlineError(f"This deadline is {deadline.get_status_display().lower()}: its date no longer changes.")
    if deadline.override_due == due and deadline.override_reason == reason:
        return deadline  # sent twice
    previous = deadline.due
    event = CaseEvent.objects.create(
        case=deadline.case, kind=CaseEvent.Kind.OVERRIDE, occurred_on=today or timezone.localdate(), step=deadline.step,
        description=f'"{deadline.step.name}": due date changed from {day_label(previous)} to {day_label(due)}. '
                    f"Reason: {reason}", recorded_by=actor)
    deadline.override_due, deadline.override_reason = due, reason
    deadline.overridden_by, deadline.overridden_at = actor, timezone.now()
    deadline.save(update_fields=["override_due", "override_reason", "overridden_by", "overridden_at", "updated_at"])
    audit_record(actor=actor, action="deadline.overridden", obj=deadline, subject=deadline.case, ip=ip,
                 changes={"step": deadline.step.name, "due": [str(previous), str(due)], "reason": reason,
                          "event": event.pk})
    return deadline


@transaction.atomic
def deadline_extension_record(*, deadline, agreed_by, agreed_on, until, actor, ip=None, description="",
                              shared=False, today=None, form_token=None):
    """Record an extension agreed with the district (who agreed, on which day, until when): a timeline event
    that moves the date that counts to `until`. `until` must be later than the current date. An agreed
    extension replaces a director's override (the timeline keeps both). The same `form_token` records once."""
    deadline = _locked_deadline(deadline)
    case = deadline.case
    sent = _sent_before(case, "deadline.extended", form_token)
    if sent:
        return CaseEvent.objects.get(pk=sent["event"])
    today = today or timezone.localdate()
    agreed_by = (agreed_by or "").strip()
    if not agreed_by:
        raise CaseDeadlineError("Say who agreed to the extension for the district.", "agreed_by")
    if agreed_on is None:
        raise CaseDeadlineError("Enter the day it was agreed.", "agreed_on")
    if agreed_on > today:
        raise CaseDeadlineError(f"The day it was agreed cannot be in the future (today is {day_label(today)}).",
                                "agreed_on")
    if until is None:
        raise CaseDeadlineError("Enter the new due date agreed.", "until")
    if deadline.status != CaseDeadline.Status.OPEN:
        raise CaseDeadlineError(f"This deadline is {deadline.get_status_display().lower()}: it can no longer be "
                                "extended.")
    previous = deadline.due
    if until <= previous:
        raise CaseDeadlineError(f"An extension must run past the current due date, {day_label(previous)}.", "until")
    event = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.EXTENSION, occurred_on=agreed_on, step=deadline.step, agreed_by=agreed_by,
        agreed_on=agreed_on, extended_until=until, shared=bool(shared), recorded_by=actor,
        description=(f'"{deadline.step.name}" extended from {day_label(previous)} to {day_label(until)}, agreed by '
                     f"{agreed_by} on {day_label(agreed_on)}." + (f" {description.strip()}" if description else "")))
    replaced = deadline.override_due
    deadline.extended_due, deadline.extension = until, event
    deadline.override_due, deadline.override_reason, deadline.overridden_by, deadline.overridden_at = None, "", None, None
    deadline.save(update_fields=["extended_due", "extension", "override_due", "override_reason", "overridden_by",
                                 "overridden_at", "updated_at"])
    audit_record(actor=actor, action="deadline.extended", obj=deadline, subject=case, ip=ip,
                 changes={"step": deadline.step.name, "due": [str(previous), str(until)], "agreed_by": agreed_by,
                          "agreed_on": str(agreed_on), "event": event.pk, "form_token": form_token or "",
                          "replaced_override": str(replaced) if replaced else ""})
    return event


@transaction.atomic
def deadline_missed_record(*, deadline, actor, note="", ip=None, today=None):
    """Record that a step was not done by its date (the district never answered, the employee let it pass):
    only once the date has passed. The deadline is missed, the timeline says so, and a step counting from
    this one counts from its due date (a policy's "if no answer is given in time, go to the next level")."""
    deadline = _locked_deadline(deadline)
    today = today or timezone.localdate()
    if deadline.status != CaseDeadline.Status.OPEN:
        raise CaseDeadlineError(f"This deadline is {deadline.get_status_display().lower()} already.")
    if deadline.due >= today:
        raise CaseDeadlineError(f"The date has not passed: it is {day_label(deadline.due)}.")
    note = (note or "").strip()
    event = CaseEvent.objects.create(
        case=deadline.case, kind=CaseEvent.Kind.OTHER, occurred_on=today, step=deadline.step, recorded_by=actor,
        description=f'"{deadline.step.name}" was not done by {day_label(deadline.due)}: recorded missed.'
                    + (f" {note}" if note else ""))
    deadline.status = CaseDeadline.Status.MISSED
    deadline.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="deadline.missed", obj=deadline, subject=deadline.case, ip=ip,
                 changes={"step": deadline.step.name, "due": str(deadline.due), "event": event.pk, "note": note})
    case_deadlines_refresh(case=deadline.case, today=today)
    return deadline


@transaction.atomic
def deadlines_recompute(*, district_ids=None) -> dict:
    """Recompute the computed date and explanation of every open deadline without an override, on the
    worked cases of `district_ids` (all districts when None), from each deadline's anchor day. Run when the
    holiday, closure or school calendars change, and nightly (a new `holidays` release). Returns counts:
    {"checked", "changed", "failed"}; a deadline that cannot be computed keeps its date and is logged."""
    deadlines = (CaseDeadline.objects.select_for_update(of=("self",))
                 .filter(status=CaseDeadline.Status.OPEN, override_due__isnull=True, case__status__in=WORKED)
                 .select_related("case__district", "step__anchor_step").order_by("case_id", "step__order"))
    if district_ids is not None:
        deadlines = deadlines.filter(case__district_id__in=list(district_ids))
    missed = CaseDeadline.objects.filter(status=CaseDeadline.Status.MISSED, done_on__isnull=True)
    if district_ids is not None:
        missed = missed.filter(case__district_id__in=list(district_ids))
    missed = set(missed.values_list("case_id", "step_id"))
    calendars, changed, failed, checked = Calendars(), [], 0, 0
    for deadline in deadlines:
        checked += 1
        step = deadline.step
        label = missed_anchor_label(step) if (deadline.case_id, step.anchor_step_id) in missed else None
        try:
            due = calendars.due(deadline.case.district, step, deadline.anchor_date, label)
        except DeadlineError as error:
            failed += 1
            logger.warning("deadline %s not recomputed: %s", deadline.pk, error)
            continue
        if (due.due, due.explanation) == (deadline.computed_due, deadline.explanation):
            continue
        old = deadline.computed_due
        deadline.computed_due, deadline.explanation, deadline.updated_at = due.due, due.explanation, timezone.now()
        changed.append(deadline)
        if old != due.due:
            audit_record(actor=None, action="deadline.recomputed", obj=deadline, subject=deadline.case,
                         changes={"step": deadline.step.name, "computed_due": [str(old), str(due.due)]})
    if changed:
        CaseDeadline.objects.bulk_update(changed, ["computed_due", "explanation", "updated_at"])
    return {"checked": checked, "changed": len(changed) + _fill_school_deadlines(district_ids), "failed": failed}


def _fill_school_deadlines(district_ids) -> int:
    """Deadlines in school days that could not be computed before (no school year entered) and can now:
    the cases they are missing on are refreshed. Returns how many deadlines appeared."""
    cases = (GrievanceCase.objects.filter(status__in=WORKED, case_type_version__steps__unit=SCHOOL)
             .exclude(deadlines__step__unit=SCHOOL).distinct())
    if district_ids is not None:
        cases = cases.filter(district_id__in=list(district_ids))
    added = 0
    for case in cases:
        before = case.deadlines.count()
        added += len(case_deadlines_refresh(case=case)) - before
    return added
