"""Every URL of the deadline engine x every persona -> the status that persona must get.

Case workers (directors of the case's region, region managers, admins) open and use them. A director of
another region gets 404 for everything about a region-A case, and so does everyone for a deadline of
another case; every other signed-in persona (the member who is the case's grievant included: members see
their cases on the member pages only) gets 403 from the case-worker guard, before any case is looked up,
so the answer says nothing about which cases exist. Signed-out visitors are sent to sign in.
"""

from datetime import date

import pytest

from advocacy.models import CaseDeadline, CaseEvent
from advocacy.services.deadlines import case_event_record
from members import clock
from tests.advocacy.factories import GrievanceCaseFactory
from tests.factories import MemberFactory
from tests.matrix import SIGNED_IN, assert_covers, check_row, get, post, row_id

WORKERS = {"director", "region_manager", "admin_user"}
TODAY = date(2026, 11, 20)


def workers(ok=200, director2=404, others=403):
    """ok for the region-A case workers, `director2` for region B's director, 403 for everyone else."""
    expected = {"anonymous": 302}
    for persona in SIGNED_IN:
        expected[persona] = ok if persona in WORKERS else (director2 if persona == "director2" else others)
    return expected


def region_b(ok=200):
    """A region-B case: director2, managers and admins work it; region A's director gets 404."""
    expected = workers(ok, director2=ok)
    expected["director"] = 404
    return expected


@pytest.fixture
def objects(world, member, director, director2, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    case = GrievanceCaseFactory(grievant=member.member, director=director)
    other = GrievanceCaseFactory(grievant=member.member, director=director)
    b_member = MemberFactory(employer_district=world.district_b, local=world.local_b)
    case_b = GrievanceCaseFactory(grievant=b_member, director=director2)
    for each in (case, other, case_b):
        case_event_record(case=each, kind=CaseEvent.Kind.INCIDENT, occurred_on=date(2026, 11, 16), actor=director,
                          today=TODAY)
    return {
        "case": case.pk, "b": case_b.pk, "deadline": CaseDeadline.objects.get(case=case).pk,
        "other_deadline": CaseDeadline.objects.get(case=other).pk,
        "b_deadline": CaseDeadline.objects.get(case=case_b).pk, "case_type": case.case_type_version.case_type_id,
    }


C = "/advocacy/cases"
EVENT = {"kind": "notice_received", "occurred_on": "2026-11-18", "token": "m1", "confirm": "1"}
OVERRIDE = {"due": "2026-12-04", "reason": "Agreed by phone", "token": "m2", "confirm": "1"}
EXTENSION = {"agreed_by": "Dr. Ellis", "agreed_on": "2026-11-19", "until": "2026-12-11", "token": "m3", "confirm": "1"}
MATRIX = [
    get(f"{C}/{{case}}/deadlines/", workers()),
    post(f"{C}/{{case}}/deadlines/", workers(405, director2=405)),  # a page, not a form
    get(f"{C}/{{b}}/deadlines/", region_b()),
    get(f"{C}/999999999/deadlines/", workers(404)),
    get(f"{C}/{{case}}/events/new/", workers()),
    post(f"{C}/{{case}}/events/new/", workers()),  # empty: the form with its errors
    post(f"{C}/{{case}}/events/new/", workers(), data={k: v for k, v in EVENT.items() if k != "confirm"}),  # the review
    post(f"{C}/{{case}}/events/new/", workers(302), data=EVENT),
    post(f"{C}/{{b}}/events/new/", region_b(302), data=EVENT),
    get(f"{C}/{{case}}/deadlines/{{deadline}}/override/", workers()),
    post(f"{C}/{{case}}/deadlines/{{deadline}}/override/", workers()),
    post(f"{C}/{{case}}/deadlines/{{deadline}}/override/", workers(302), data=OVERRIDE),
    get(f"{C}/{{case}}/deadlines/{{other_deadline}}/override/", workers(404)),  # a deadline of another case
    post(f"{C}/{{case}}/deadlines/{{other_deadline}}/override/", workers(404), data=OVERRIDE),
    get(f"{C}/{{case}}/deadlines/{{b_deadline}}/override/", workers(404)),
    get(f"{C}/{{case}}/deadlines/{{deadline}}/extension/", workers()),
    post(f"{C}/{{case}}/deadlines/{{deadline}}/extension/", workers()),
    post(f"{C}/{{case}}/deadlines/{{deadline}}/extension/", workers(302), data=EXTENSION),
    get(f"{C}/{{case}}/deadlines/{{other_deadline}}/extension/", workers(404)),
    post(f"{C}/{{case}}/deadlines/{{other_deadline}}/extension/", workers(404), data=EXTENSION),
    get(f"{C}/{{case}}/deadlines/{{deadline}}/missed/", workers()),
    post(f"{C}/{{case}}/deadlines/{{deadline}}/missed/", workers()),
    post(f"{C}/{{case}}/deadlines/{{deadline}}/missed/", workers(), data={"token": "m4", "confirm": "1"}),  # not passed
    get(f"{C}/{{case}}/deadlines/{{other_deadline}}/missed/", workers(404)),
    post(f"{C}/{{case}}/deadlines/{{other_deadline}}/missed/", workers(404), data={"token": "m5", "confirm": "1"}),
    get("/advocacy/case-types/", workers(director2=200)),
    post("/advocacy/case-types/", workers(405, director2=405)),
    get("/advocacy/case-types/{case_type}/", workers(director2=200)),
    post("/advocacy/case-types/{case_type}/", workers(405, director2=405)),
    get("/advocacy/case-types/999999/", workers(404, director2=404)),
]


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_matrix(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_url(objects):
    assert_covers(MATRIX, objects, claims=[f"{C}/<int:pk>/events/", f"{C}/<int:pk>/deadlines/", "/advocacy/case-types/"])
