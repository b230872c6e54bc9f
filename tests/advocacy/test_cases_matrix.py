"""Every URL of asking for help, my cases, intake and the case pages x every persona -> status.

- Case workers (the region-A director, region managers, admins) open region A's requests and cases.
- The region-B director gets 404 for every URL of a region-A request, case or document: they may not
  know it exists. Everyone else signed in gets 403 on the staff pages (they are not case workers at all).
- The member persona (the grievant and requester) opens their own case and request; every other persona
  gets 404 for them, directors included: the member pages are the member's own.
- A wrong method answers 405 (after sign-in and the case-worker guard); signed-out visitors go to sign in.
"""

import pytest

from tests.advocacy.cases_fixtures import add_document, case_for, request_for
from tests.matrix import SIGNED_IN, assert_covers, check_row, get, only, post, row_id, signed_in

WORKERS = {"director", "region_manager", "admin_user"}
LISTS = WORKERS | {"director2"}  # each sees the list of their own regions


def work(ok=200, *, other_region=404, **overrides):
    """Region-A case workers `ok`; the region-B director `other_region`; other signed-in personas 403."""
    return {**only(WORKERS, status_ok=ok), "director2": other_region, **overrides}


def own(ok=200, other=404):
    """The member persona `ok`; every other signed-in persona `other`."""
    return {"anonymous": 302, **{p: (ok if p == "member" else other) for p in SIGNED_IN}}


def wrong_method():
    """A view that takes one method, asked with the other: 405 after sign-in and the guard."""
    return work(405, other_region=405)


@pytest.fixture
def objects(world, member, director):
    case = case_for(member, director)
    made = request_for(member)
    shared = add_document(case, director, title="shared.pdf", shared=True)
    private = add_document(case, director, title="private.pdf", shared=False)
    sent = add_document(None, member, title="sent-with-request.pdf", shared=False, request=made)
    return {"case": case.pk, "req": made.pk, "shared": shared.document_id, "private": private.document_id,
            "sent": sent.document_id, "grievant": member.member.pk}


A = "/advocacy"
MATRIX = [
    # Asking for help: anyone signed in.
    get(f"{A}/help/", signed_in(200)),
    post(f"{A}/help/", signed_in(200)),  # an empty form: its errors
    get(f"{A}/help/worksites/", signed_in(200)),
    post(f"{A}/help/worksites/", signed_in(405)),
    get(f"{A}/help/sent/{{req}}/", own()),
    post(f"{A}/help/sent/{{req}}/", signed_in(405)),
    # My cases: the member's own.
    get(f"{A}/my-cases/", signed_in(200)),
    post(f"{A}/my-cases/", signed_in(405)),
    get(f"{A}/my-cases/{{case}}/", own()),
    post(f"{A}/my-cases/{{case}}/", signed_in(405)),
    get(f"{A}/my-cases/{{case}}/reply/", signed_in(405)),
    post(f"{A}/my-cases/{{case}}/reply/", own(400)),
    get(f"{A}/my-cases/{{case}}/documents/", signed_in(405)),
    post(f"{A}/my-cases/{{case}}/documents/", own(400)),
    get(f"{A}/my-cases/{{case}}/documents/{{shared}}/", own()),
    get(f"{A}/my-cases/{{case}}/documents/{{private}}/", own(404)),  # private: nobody here
    post(f"{A}/my-cases/{{case}}/documents/{{shared}}/", signed_in(405)),
    # Intake
    get(f"{A}/intake/", only(LISTS)),
    get(f"{A}/intake/?status=declined", only(LISTS)),
    post(f"{A}/intake/", only(LISTS, status_ok=405)),
    get(f"{A}/intake/{{req}}/", work()),
    post(f"{A}/intake/{{req}}/", wrong_method()),
    get(f"{A}/intake/{{req}}/documents/{{sent}}/", work()),
    post(f"{A}/intake/{{req}}/documents/{{sent}}/", wrong_method()),
    get(f"{A}/intake/{{req}}/documents/{{shared}}/", work(404)),  # a document of another request or case
    *[row for action in ("accept", "decline", "refer", "claim")
      for row in (get(f"{A}/intake/{{req}}/{action}/", work()), post(f"{A}/intake/{{req}}/{action}/", work()))],
    # Case pages
    get(f"{A}/cases/", only(LISTS)),
    get(f"{A}/cases/?status=closed", only(LISTS)),
    post(f"{A}/cases/", only(LISTS, status_ok=405)),
    get(f"{A}/cases/{{case}}/", work()),
    post(f"{A}/cases/{{case}}/", wrong_method()),
    get(f"{A}/cases/999999/", work(404)),
    get(f"{A}/cases/{{case}}/edit/", work()),
    post(f"{A}/cases/{{case}}/edit/", work()),  # an empty form: its errors
    get(f"{A}/cases/{{case}}/close/", work()),
    post(f"{A}/cases/{{case}}/close/", work()),
    get(f"{A}/cases/{{case}}/reopen/", wrong_method()),
    post(f"{A}/cases/{{case}}/reopen/", work(302)),  # not closed: back to the page with a message
    get(f"{A}/cases/{{case}}/notes/", wrong_method()),
    post(f"{A}/cases/{{case}}/notes/", work(400)),
    post(f"{A}/cases/{{case}}/notes/", work(302), data={"note-body": "A private note"}),
    get(f"{A}/cases/{{case}}/updates/", wrong_method()),
    post(f"{A}/cases/{{case}}/updates/", work(400)),
    get(f"{A}/cases/{{case}}/documents/", wrong_method()),
    post(f"{A}/cases/{{case}}/documents/", work(400)),
    get(f"{A}/cases/{{case}}/documents/{{private}}/", work()),
    post(f"{A}/cases/{{case}}/documents/{{private}}/", wrong_method()),
    get(f"{A}/cases/{{case}}/documents/{{private}}/share/", wrong_method()),
    post(f"{A}/cases/{{case}}/documents/{{private}}/share/", work(302), data={"shared": "1"}),
    get(f"{A}/cases/{{case}}/grievants/", wrong_method()),
    post(f"{A}/cases/{{case}}/grievants/", work(400)),
    get(f"{A}/cases/{{case}}/grievants/{{grievant}}/remove/", wrong_method()),
    post(f"{A}/cases/{{case}}/grievants/{{grievant}}/remove/", work(302)),  # the last one stays: a message
    get(f"{A}/cases/{{case}}/audit/", work(director=403)),
    post(f"{A}/cases/{{case}}/audit/", wrong_method()),
    # The core's door: the case's documents by their own scope.
    get("/documents/{private}/", {**only(WORKERS), "director2": 404, "member": 404,
                                  **{p: 404 for p in SIGNED_IN if p not in WORKERS}, "anonymous": 404}),
    get("/documents/{shared}/", {**{p: 404 for p in SIGNED_IN}, "anonymous": 404,
                                 **{p: 200 for p in WORKERS}, "member": 200}),
    get("/documents/{sent}/", {**{p: 404 for p in SIGNED_IN}, "anonymous": 404,
                               **{p: 200 for p in WORKERS}, "member": 200}),
]

LEFT_OUT = {
    "/advocacy/cases/<int:pk>/events/": "the deadline engine's pages (their own matrix)",
    "/advocacy/cases/<int:pk>/deadlines/": "the deadline engine's pages (their own matrix)",
    "/advocacy/case-types/": "the deadline engine's case-type pages (their own matrix)",
    "/advocacy/cases/<int:pk>/letters/": "the reports area's letters (their own matrix)",
    "/advocacy/letter-templates/": "the reports area's letter templates (their own matrix)",
    "/advocacy/caseload/": "the reports area's caseload dashboard (their own matrix)",
    "/advocacy/reports/": "the reports area's manager reports (their own matrix)",
    "/advocacy/feeds/": "the reports area's iCal feeds (their own matrix)",
}


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_matrix(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_url(objects):
    assert_covers(MATRIX, objects, claims=["/advocacy/"], leaves_out=LEFT_OUT)


def test_the_other_region_lists_show_nothing_of_region_a(client, objects, director2):
    client.force_login(director2)
    assert "Written reprimand without a meeting" not in client.get(f"{A}/intake/").content.decode()
    assert "Reprimand without a hearing" not in client.get(f"{A}/cases/").content.decode()
