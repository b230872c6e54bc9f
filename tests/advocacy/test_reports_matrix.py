"""Every URL of letters, letter templates, the caseload, manager reports and calendar feeds x every persona.

- A case's letters: the people who work the case (its region's director, region managers, admins). director2
  (region B) gets 404 for every letter URL of a region-A case, as for a case that does not exist; people who
  work no case (members, staff, reviewers...) get 403 before any case is looked up; signed out: sign in.
- Letter templates and manager reports: region managers and admins; directors 403.
- The caseload and the feeds page: everyone who works cases (each sees their own).
- A feed's .ics address: no session needed; the token is the key (404 for an unknown one, for everyone).
- Pages that only show something answer POST with 405.
"""

import re
from dataclasses import replace
from datetime import date

import pytest

from advocacy.models import CalendarFeedToken, CaseLetter
from tests.advocacy.reports_helpers import ensure_letter_templates, make_case, make_deadline
from tests.matrix import SIGNED_IN, assert_covers, check_row, everyone, get, only, post, row_id

WORKERS = {"director", "director2", "region_manager", "admin_user"}
CASE_A = {"director", "region_manager", "admin_user"}  # who works the region-A case
MANAGERS = {"region_manager", "admin_user"}


def case_a(ok=200):
    """ok for those who work the region-A case, 404 for director2, 403 for everyone else signed in."""
    return {"anonymous": 302, **{p: ok if p in CASE_A else 404 if p == "director2" else 403 for p in SIGNED_IN}}


def missing_for_workers():
    return {"anonymous": 302, **{p: 404 if p in WORKERS else 403 for p in SIGNED_IN}}


@pytest.fixture
def objects(world, director):
    templates = ensure_letter_templates()
    template = templates["Level 1 grievance filing"]
    case = make_case(director, world.district_a)
    make_deadline(case, due=date(2026, 11, 16))
    draft = CaseLetter.objects.create(case=case, template=template, subject="Draft", body="Text", created_by=director)
    final = CaseLetter.objects.create(case=case, template=template, subject="Final", body="Text", created_by=director,
                                      status="final")
    token = CalendarFeedToken.objects.create(user=director)
    return {"case": case.pk, "draft": draft.pk, "final": final.pk, "template": template.pk, "token": token.token}


L = "/advocacy/cases/{case}/letters"
MATRIX = [
    get(f"{L}/", case_a()),
    post(f"{L}/", everyone(405)),
    get("/advocacy/cases/999999/letters/", missing_for_workers()),
    get(f"{L}/new/", case_a()),
    post(f"{L}/new/", case_a()),  # no template chosen: the form again
    post(f"{L}/new/", case_a(302), data={"template": "{template}"}),
    get(f"{L}/{{draft}}/", case_a()),
    post(f"{L}/{{draft}}/", case_a()),  # an empty subject: the form again
    post(f"{L}/{{draft}}/", case_a(302), data={"subject": "Edited", "body": "Edited text"}),
    get(f"{L}/{{final}}/", case_a()),
    post(f"{L}/{{final}}/", case_a(403), data={"subject": "Edited", "body": "Edited text"}),  # final: not editable
    get(f"{L}/999999/", missing_for_workers()),
    get(f"{L}/{{draft}}/preview/", case_a()),
    post(f"{L}/{{draft}}/preview/", everyone(405)),
    get(f"{L}/{{draft}}/final/", case_a()),
    post(f"{L}/{{draft}}/final/", case_a()),  # not confirmed: asks again
    post(f"{L}/{{draft}}/final/", case_a(302), data={"confirm": "1"}),
    get("/advocacy/letter-templates/", only(MANAGERS)),
    post("/advocacy/letter-templates/", everyone(405)),
    get("/advocacy/letter-templates/new/", only(MANAGERS)),
    post("/advocacy/letter-templates/new/", only(MANAGERS)),  # empty: the form with its errors
    post("/advocacy/letter-templates/new/", only(MANAGERS, status_ok=302),
         data={"name": "Meeting request", "case_kind": "", "body": "Dear {{ supervisor }}", "active": "on"}),
    get("/advocacy/letter-templates/{template}/", only(MANAGERS)),
    post("/advocacy/letter-templates/{template}/", only(MANAGERS)),
    get("/advocacy/letter-templates/999999/", only(MANAGERS, status_ok=404)),
    get("/advocacy/caseload/", only(WORKERS)),
    get("/advocacy/caseload/?status=&overdue_only=on", only(WORKERS)),
    post("/advocacy/caseload/", everyone(405)),
    get("/advocacy/caseload/export.csv", only(WORKERS)),
    post("/advocacy/caseload/export.csv", everyone(405)),
    get("/advocacy/reports/", only(MANAGERS)),
    get("/advocacy/reports/?start=2026-07-01&end=2027-06-30", only(MANAGERS)),
    post("/advocacy/reports/", everyone(405)),
    get("/advocacy/feeds/", only(WORKERS)),
    post("/advocacy/feeds/", only(WORKERS, status_ok=302), data={"action": "create"}),
    get("/advocacy/feeds/{token}.ics", everyone(200)),
    get("/advocacy/feeds/not-a-real-token.ics", everyone(404)),
    post("/advocacy/feeds/{token}.ics", everyone(405)),
]


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_matrix(row, matrix_clients, objects):
    # A POST naming an object ("{template}") gets its pk; other text (a template's "{{ supervisor }}") stays.
    data = {key: value.format(**objects) if re.fullmatch(r"\{\w+\}", value) else value for key, value in row.data.items()}
    check_row(replace(row, data=data), matrix_clients, objects)


def test_matrix_covers_every_url(objects):
    assert_covers(MATRIX, objects, claims=["/advocacy/cases/<int:pk>/letters/", "/advocacy/letter-templates/",
                                           "/advocacy/caseload/", "/advocacy/reports/", "/advocacy/feeds/"])
