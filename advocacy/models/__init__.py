"""Advocacy: members ask for help, UniServ directors work cases with step ladders and deadlines.

- case_types.py: case types and their versioned step ladders (data staff edit), issue categories, the
  advocacy policy (free attorney consultations per year, alert thresholds), school calendars.
- requests.py: representation requests (intake), attorney referrals, liability claims.
- cases.py: grievance and protection cases, their deadlines, timeline events, notes, shared updates,
  documents, letters, alerts and calendar-feed tokens.
"""

from advocacy.models.case_types import (  # noqa: F401
    AdvocacyPolicy,
    CaseType,
    CaseTypeVersion,
    IssueCategory,
    SchoolBreak,
    SchoolYear,
    StepRule,
)
from advocacy.models.cases import (  # noqa: F401
    CASE_NUMBER_SEQUENCE,
    CalendarFeedToken,
    CaseDeadline,
    CaseDocument,
    CaseEvent,
    CaseLetter,
    CaseNote,
    CaseUpdate,
    DeadlineAlert,
    GrievanceCase,
    LetterTemplate,
)
from advocacy.models.requests import AttorneyReferral, LiabilityClaim, RepresentationRequest  # noqa: F401
