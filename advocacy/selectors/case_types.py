"""Which case type and which of its versions a case follows.

- `version_in_force(case_type, on)`: the version with the latest `effective_from` on or before `on` (a
  case's filing date). A case keeps that version for good: later versions never change it.
- `suggested_case_types(member, district)`: what intake proposes, best first; the director confirms.
  Kept simple on purpose (the summary's words are not parsed):
    * a teacher or licensed professional (career field kind "professional"): the nonrenewal statute
      (37-9-101 to -113 covers licensed employees) first, then the district's grievance policy;
    * an ESP, another career field or none recorded: the district's grievance policy only (many ESPs are
      at-will and outside 37-9).
  "The district's grievance policy" is an active grievance type of that district when one exists, else the
  statewide one (no district). Protection matters are never suggested: the director picks them by hand.
- `case_types_with_ladders()`: the read-only page of case types for directors.
"""

from django.db.models import Prefetch

from advocacy.models import CaseType, CaseTypeVersion, StepRule

PROFESSIONAL = "professional"  # members.CareerField.Kind.PROFESSIONAL


def version_in_force(case_type, on):
    """The CaseTypeVersion of `case_type` in force on the day `on`, or None when none had taken effect."""
    return (CaseTypeVersion.objects.filter(case_type=case_type, effective_from__lte=on)
            .select_related("case_type").order_by("-effective_from").first())


def grievance_policy_for(district):
    """The district's own active grievance policy, else the statewide one (None if neither exists)."""
    policies = CaseType.objects.filter(kind=CaseType.Kind.GRIEVANCE, active=True)
    if district is not None:
        own = policies.filter(district=district).order_by("name").first()
        if own is not None:
            return own
    return policies.filter(district__isnull=True).order_by("name").first()


def suggested_case_types(member, district) -> list:
    """The case types intake suggests for `member` (a members.Member, or None for a non-member) in
    `district`, best first."""
    career_field = getattr(member, "career_field", None) if member is not None else None
    suggestions = []
    if career_field is not None and career_field.kind == PROFESSIONAL:
        nonrenewal = (CaseType.objects.filter(kind=CaseType.Kind.NONRENEWAL, active=True)
                      .exclude(covers=CaseType.CoveredStaff.ESP).order_by("name").first())
        if nonrenewal is not None:
            suggestions.append(nonrenewal)
    grievance = grievance_policy_for(district)
    if grievance is not None:
        suggestions.append(grievance)
    return suggestions


def suggested_case_type(member, district):
    """The first of `suggested_case_types`, or None."""
    suggestions = suggested_case_types(member, district)
    return suggestions[0] if suggestions else None


def case_types_with_ladders():
    """Every case type with its versions (newest first) and their steps: three queries for the page."""
    steps = StepRule.objects.select_related("anchor_step").order_by("order")
    versions = CaseTypeVersion.objects.order_by("-effective_from").prefetch_related(Prefetch("steps", queryset=steps))
    return (CaseType.objects.select_related("district")
            .prefetch_related(Prefetch("versions", queryset=versions)).order_by("-active", "kind", "name"))
