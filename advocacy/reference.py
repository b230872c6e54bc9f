"""Starting data: issue categories and the two case types every district meets.

Loaded by migration 0002 and by tests; staff edit the rows afterwards (the admin), so this only creates
what is missing and never overwrites an edit.

Sources: Miss. Code Ann. 37-9-101 to -113 (nonrenewal of licensed employees; 37-9-103 makes its days
calendar days; 37-9-109 the hearing request and the exchange of reasons and evidence; 37-9-113 the appeal
to chancery court) and the Mississippi School Boards Association's model grievance policy (GAE), whose
levels and working-day limits districts adopt with their own numbers.
"""

from datetime import date

ISSUE_CATEGORIES = [
    "Pay and benefits", "Evaluation", "Discipline", "Dismissal or nonrenewal", "Transfer or assignment",
    "Working conditions", "Leave", "Harassment or discrimination", "Health and safety", "Other",
]

GRIEVANCE_POLICY = {
    "name": "District grievance policy (MSBA model GAE)",
    "kind": "grievance", "covers": "any",
    "description": "The district grievance procedure most Mississippi districts adopt from the MSBA model policy "
                   "GAE: principal, then superintendent, then a school board hearing. Used by teachers and by "
                   "ESPs, including at-will employees outside 37-9.",
    "version": {"number": 1, "effective_from": date(2015, 7, 1), "citation": "MSBA model policy GAE"},
    "steps": [
        # order, name, party, days, unit, direction, anchor (event kind or earlier step's order), consequence
        (1, "Level 1: written grievance to the principal", "employee", 10, "working", "after", "incident",
         "The grievance is waived."),
        (2, "Level 1: principal's written answer", "district", 10, "working", "after", 1,
         "The employee may take the grievance to level 2."),
        (3, "Level 2: appeal to the superintendent", "employee", 5, "working", "after", 2,
         "The principal's answer stands."),
        (4, "Level 2: superintendent's written answer", "district", 10, "working", "after", 3,
         "The employee may take the grievance to level 3."),
        (5, "Level 3: request a school board hearing", "employee", 5, "working", "after", 4,
         "The superintendent's answer stands."),
        (6, "Level 3: board hearing and written decision", "district", 30, "calendar", "after", 5,
         "The employee may treat the grievance as denied and seek other remedies."),
    ],
}

NONRENEWAL = {
    "name": "Nonrenewal of a licensed employee (Miss. Code 37-9-101 to -113)",
    "kind": "nonrenewal", "covers": "licensed",
    "description": "The Education Employment Procedures Law: notice of nonrenewal, a hearing on request, the "
                   "exchange of reasons and evidence before it, and an appeal to chancery court. Days are "
                   "calendar days (37-9-103). Verify each step against the current code text.",
    "version": {"number": 1, "effective_from": date(2001, 7, 1), "citation": "Miss. Code Ann. 37-9-101 to -113"},
    "steps": [
        (1, "Ask for a hearing in writing", "employee", 10, "calendar", "after", "notice_received",
         "The right to a hearing is waived and the nonrenewal stands (37-9-109)."),
        (2, "District gives its reasons, witnesses and documents", "district", 14, "calendar", "before",
         "hearing_scheduled",
         "If the district is late, the statute's remedy may apply: the nonrenewal may be void (37-9-109). "
         "Raise it before the hearing."),
        (3, "Employee's response, witnesses and documents", "employee", 5, "calendar", "before",
         "hearing_scheduled", "The employee's evidence may be excluded at the hearing (37-9-109)."),
        (4, "Appeal to chancery court", "employee", 20, "calendar", "after", "decision_received",
         "The board's decision becomes final (37-9-113)."),
    ],
}

PROTECTION = {
    "name": "Other member protection matter",
    "kind": "protection", "covers": "any",
    "description": "Advice and representation without a fixed ladder: a meeting with a supervisor, a "
                   "reprimand, a licence complaint. The director records events and dates by hand.",
    "version": {"number": 1, "effective_from": date(2001, 7, 1), "citation": "MAE member protection"},
    "steps": [],
}

CASE_TYPES = [GRIEVANCE_POLICY, NONRENEWAL, PROTECTION]

CITATIONS = {1: "37-9-109", 2: "37-9-109", 3: "37-9-109", 4: "37-9-113"}


def ensure_issue_categories(IssueCategory):
    for order, name in enumerate(ISSUE_CATEGORIES):
        IssueCategory.objects.get_or_create(name=name, defaults={"sort_order": order})


def ensure_case_types(CaseType, CaseTypeVersion, StepRule):
    """Create the starting case types, their first version and its steps, where missing."""
    for spec in CASE_TYPES:
        case_type, created = CaseType.objects.get_or_create(
            name=spec["name"], defaults={"kind": spec["kind"], "covers": spec["covers"], "description": spec["description"]})
        if not created:
            continue
        version = CaseTypeVersion.objects.create(case_type=case_type, **spec["version"])
        by_order = {}
        for order, name, party, days, unit, direction, anchor, consequence in spec["steps"]:
            by_order[order] = StepRule.objects.create(
                version=version, order=order, name=name, party=party, days=days, unit=unit, direction=direction,
                anchor_event=anchor if isinstance(anchor, str) else "",
                anchor_step=by_order[anchor] if isinstance(anchor, int) else None,
                consequence=consequence,
                citation=CITATIONS.get(order, "") if spec["kind"] == "nonrenewal" else spec["version"]["citation"])


def ensure_reference_data():
    from advocacy.models import CaseType, CaseTypeVersion, IssueCategory, StepRule

    ensure_issue_categories(IssueCategory)
    ensure_case_types(CaseType, CaseTypeVersion, StepRule)
