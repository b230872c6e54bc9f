"""Helpers of the letters, alerts, feed, caseload and report tests: cases in the personas' regions, deadlines
created directly (the deadline engine is another area's), and the starting letter templates."""

import importlib
from datetime import date, timedelta

from advocacy.models import CaseDeadline, CaseEvent, CaseNote, LetterTemplate
from members.models import Worksite
from tests.advocacy.factories import GrievanceCaseFactory, ladder
from tests.factories import MemberFactory, WorksiteFactory

NOTE_TEXT = "PRIVATE: the principal admitted off the record that the reprimand was retaliation."
_letter_migration = importlib.import_module("advocacy.migrations.0004_letter_templates")


def ensure_letter_templates():
    """The starting templates (a transactional test may have flushed the migration's rows)."""
    for name, case_kind, body in _letter_migration.TEMPLATES:
        LetterTemplate.objects.get_or_create(name=name, defaults={"case_kind": case_kind, "body": body})
    return {template.name: template for template in LetterTemplate.objects.all()}


def make_case(director, district, *, grievant=None, worksite=None, note=True, **fields):
    """A case in `district`'s region worked by `director`, with a private note on it."""
    if worksite is None:
        worksite = (Worksite.objects.filter(district=district, name="Carver Middle School").first()
                    or WorksiteFactory(district=district, name="Carver Middle School"))
    grievant = grievant or MemberFactory(employer_district=district, worksite=worksite, legal_first_name="Tamika",
                                         legal_last_name="Shelton", address_line1="12 Magnolia Street",
                                         city="Tupelo", zip_code="38801")
    case = GrievanceCaseFactory(grievant=grievant, director=director, district=district, worksite=worksite, **fields)
    if note:
        CaseNote.objects.create(case=case, author=director, body=NOTE_TEXT)
    return case


def make_deadline(case, *, order=1, due: date, status=CaseDeadline.Status.OPEN, **fields):
    version, steps = ladder(case.case_type_version.case_type.kind)
    step = steps[order]
    return CaseDeadline.objects.create(
        case=case, step=step, anchor_date=due - timedelta(days=14), computed_due=due, status=status,
        explanation=fields.pop("explanation", f"10 working days after the incident; due {due:%a %b %-d}"), **fields)


def make_hearing(case, day: date, *, recorded_by):
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.HEARING_SCHEDULED, occurred_on=day,
                                    description="Board hearing at the central office", recorded_by=recorded_by)
