"""Award cycles: opening one with its dates, rules, rubric and materials, changing it, moving it through its
phases. Every change is audited."""

from decimal import Decimal

from django.db import transaction

from esp.dates import DATE_ORDER, cycle_date_errors
from esp.models import AwardCycle, Criterion
from esp.models.awards import CRITERIA
from mae_portal.audit import audit_record, model_update
from mae_portal.public_pages import public_pages_changed

Phase = AwardCycle.Phase
PHASES = [value for value, _ in Phase.choices]  # in order: draft -> ... -> closed

# Once reviewers are scoring, the rubric and the eligibility rules no longer change: a nomination is judged by
# the rules it was entered under.
RULES_LOCKED_FROM = Phase.REVIEW
RULE_FIELDS = ("min_membership_years", "letters_required", "statement_max_words")

INTERVIEW_CRITERIA = [("Interview: vision for ESPs", Decimal("1.00")), ("Interview: communication", Decimal("1.00"))]


class CycleError(Exception):
    """A change refused; `errors` maps form fields ("" for the whole form) to sentences."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def rules_locked(cycle: AwardCycle) -> bool:
    return PHASES.index(cycle.phase) >= PHASES.index(RULES_LOCKED_FROM)


def _check(data: dict, *, cycle: AwardCycle | None) -> None:
    errors = cycle_date_errors(data)
    year = data.get("year")
    if year is not None and AwardCycle.objects.filter(year=year).exclude(pk=getattr(cycle, "pk", None)).exists():
        errors["year"] = f"There is already a cycle for {year}: one cycle per year."
    if errors:
        raise CycleError(errors)


def _criteria_values(review_weights, interview):
    if len(review_weights) != len(CRITERIA):
        raise ValueError(f"the rubric has {len(CRITERIA)} criteria")
    review = [(order, name, description, Decimal(weight))
              for order, ((name, description), weight) in enumerate(zip(CRITERIA, review_weights, strict=True), 1)]
    interview = [(order, name, "", Decimal(weight)) for order, (name, weight) in enumerate(interview, 1)]
    return review, interview


@transaction.atomic
def cycle_create(*, data: dict, review_weights: list, interview_criteria: list | None = None, actor) -> AwardCycle:
    """Open a cycle (in the draft phase) for `data["year"]`, with the five criteria of DESIGN.md at
    `review_weights` and the interview round's criteria [(name, weight)]. Raises CycleError (date order, one
    cycle per year)."""
    _check(data, cycle=None)
    cycle = AwardCycle.objects.create(**{**data, "phase": Phase.DRAFT})
    review, interview = _criteria_values(review_weights, interview_criteria or INTERVIEW_CRITERIA)
    Criterion.objects.bulk_create(
        [Criterion(cycle=cycle, round=Criterion.Round.REVIEW, order=o, name=n, description=d, weight=w)
         for o, n, d, w in review]
        + [Criterion(cycle=cycle, round=Criterion.Round.INTERVIEW, order=o, name=n, weight=w) for o, n, _, w in interview])
    audit_record(actor=actor, action="esp.cycle_created", obj=cycle, changes={
        "year": cycle.year, "weights": [str(w) for *_, w in review],
        "interview": [f"{n} ({w})" for _, n, _, w in interview]})
    return cycle


@transaction.atomic
def cycle_update(*, cycle: AwardCycle, data: dict, review_weights: list | None = None,
                 interview_criteria: list | None = None, actor) -> dict:
    """Change a cycle's settings and its criteria (names of interview criteria, weights); returns the changes
    ({field: [old, new]}). From the review phase on, the rubric and the eligibility and materials rules are
    fixed: changing them raises CycleError."""
    cycle = AwardCycle.objects.select_for_update().get(pk=cycle.pk)
    merged = {field: getattr(cycle, field) for field in ("year", *[name for name, _ in DATE_ORDER])}
    merged.update(data)
    _check(merged, cycle=cycle)
    locked = rules_locked(cycle)
    criteria = list(cycle.criteria.order_by("round", "order"))
    review = [c for c in criteria if c.round == Criterion.Round.REVIEW]
    interview = [c for c in criteria if c.round == Criterion.Round.INTERVIEW]
    wanted = []
    if review_weights is not None:
        wanted += [(c, {"weight": Decimal(w)}) for c, w in zip(review, review_weights, strict=True)]
    if interview_criteria is not None:
        wanted += [(c, {"name": n, "weight": Decimal(w)}) for c, (n, w) in zip(interview, interview_criteria, strict=True)]
    if locked:
        changed_rules = [f for f in RULE_FIELDS if f in data and data[f] != getattr(cycle, f)]
        changed_rubric = [c for c, values in wanted if any(getattr(c, k) != v for k, v in values.items())]
        if changed_rules or changed_rubric:
            raise CycleError({"": "Reviewers are scoring this cycle: its rubric, eligibility rules and required "
                                  "materials can no longer change."})
    _, changes = model_update(instance=cycle, data=data, actor=actor, action="esp.cycle_updated")
    for criterion, values in wanted:
        _, changed = model_update(instance=criterion, data=values, actor=actor, action="esp.criterion_updated",
                                  subject=cycle)
        changes.update({f"{criterion.name}: {k}": v for k, v in changed.items()})
    public_pages_changed()
    return changes


def phase_moves(cycle: AwardCycle) -> list[str]:
    """The phases a cycle may move to: the next one, or back to the one before (to correct a mistake)."""
    index = PHASES.index(cycle.phase)
    return [PHASES[i] for i in (index + 1, index - 1) if 0 <= i < len(PHASES)]


@transaction.atomic
def cycle_phase_set(*, cycle: AwardCycle, phase: str, actor) -> AwardCycle:
    """Move a cycle to the next phase or back one (CycleError otherwise). "Winner chosen" needs the winner."""
    cycle = AwardCycle.objects.select_for_update().get(pk=cycle.pk)
    if phase not in phase_moves(cycle):
        raise CycleError({"phase": f"A cycle in “{cycle.get_phase_display()}” cannot move to that phase."})
    if phase == Phase.DECIDED and cycle.winner_id is None:
        raise CycleError({"phase": "Choose the winner before marking the cycle “Winner chosen”."})
    if phase == Phase.NOMINATIONS:
        clash = AwardCycle.objects.filter(phase=Phase.NOMINATIONS).exclude(pk=cycle.pk).first()
        if clash is not None:
            raise CycleError({"phase": f"The {clash.year} cycle is taking nominations: one cycle takes nominations at a time."})
    model_update(instance=cycle, data={"phase": phase}, actor=actor, action="esp.cycle_phase_set")
    public_pages_changed()  # the home card and the award page say whether nominations are open
    return cycle
