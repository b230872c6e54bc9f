"""The caseload dashboard: directors see their region, region managers every region; overdue first, then by
the next date; counts by step and status; filters; a query count that does not grow with the cases; the CSV
export's content, with no private note, and cells a spreadsheet will not run."""

import csv
import io
from datetime import date

import pytest

from advocacy.models import CaseDeadline, GrievanceCase
from advocacy.views.caseload import csv_safe
from mae_portal.models import AuditLog
from members import clock
from tests.advocacy.factories import issue_category, ladder
from tests.advocacy.reports_helpers import NOTE_TEXT, make_case, make_deadline

TODAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def cases(world, director, director2):
    _, steps = ladder()
    later = make_case(director, world.district_a, title="Later deadline", current_step=steps[3])
    make_deadline(later, order=3, due=date(2026, 11, 20))
    overdue = make_case(director, world.district_a, title="Overdue deadline", current_step=steps[1],
                        supervisor="Principal Leon Tate")
    make_deadline(overdue, order=1, due=date(2026, 11, 5))
    make_deadline(overdue, order=2, due=date(2026, 11, 25))
    soon = make_case(director, world.district_a, title="Soon", current_step=steps[1],
                     issue_category=issue_category("Pay and benefits"))
    make_deadline(soon, order=1, due=date(2026, 11, 12))
    none = make_case(director, world.district_a, title="Nothing open", status=GrievanceCase.Status.ON_HOLD)
    make_deadline(none, due=date(2026, 11, 1), status=CaseDeadline.Status.MET)
    closed = make_case(director, world.district_a, title="Closed one", status="closed", outcome="won",
                       closed_on=date(2026, 11, 2))
    delta = make_case(director2, world.district_b, title="Delta case", current_step=steps[1])
    make_deadline(delta, order=1, due=date(2026, 11, 3))
    return {"later": later, "overdue": overdue, "soon": soon, "none": none, "closed": closed, "delta": delta}


def _numbers(response):
    return [case.number for case in response.context["page"]]


def test_a_director_sees_their_region_overdue_first(client, director, cases):
    client.force_login(director)
    response = client.get("/advocacy/caseload/")
    assert response.status_code == 200
    assert _numbers(response) == [cases[k].number for k in ("overdue", "soon", "later", "none")]
    page = response.content.decode()
    assert "Overdue: Thu Nov 5, 2026" in page and cases["delta"].number not in page
    assert NOTE_TEXT not in page
    assert response.context["counts"] == {"total": 4, "overdue": 1, "this_week": 1}
    by_step = {row["step"]: row for row in response.context["by_step"]}
    assert by_step["Level 1: written grievance to the principal"]["counts"] == [2, 0, 0]
    assert by_step["No step yet"]["counts"] == [0, 1, 0]
    assert f'href="/advocacy/cases/{cases["overdue"].pk}/"' in page
    assert '<a href="/advocacy/caseload/" aria-current="page">Caseload</a>' in page


def test_a_region_manager_sees_every_region(client, region_manager, cases):
    client.force_login(region_manager)
    response = client.get("/advocacy/caseload/")
    assert _numbers(response)[:2] == [cases["delta"].number, cases["overdue"].number]  # most overdue first
    assert len(_numbers(response)) == 5


@pytest.mark.parametrize("query, expected", [
    ("status=closed", ["closed"]),
    ("status=", ["overdue", "soon", "later", "closed", "none"]),  # no open deadline: the newest first
    ("status=on_hold", ["none"]),
    ("overdue_only=on", ["overdue"]),
    ("q=Later", ["later"]),
    ("q=leon+tate", ["overdue"]),
    ("issue_category={pay}", ["soon"]),
    ("step={step1}", ["overdue", "soon"]),
    ("director={director}", ["overdue", "soon", "later", "none"]),
])
def test_filters(client, director, cases, query, expected):
    _, steps = ladder()
    query = query.format(pay=issue_category("Pay and benefits").pk, step1=steps[1].pk, director=director.pk)
    client.force_login(director)
    response = client.get(f"/advocacy/caseload/?{query}")
    assert response.status_code == 200
    assert _numbers(response) == [cases[k].number for k in expected]


@pytest.mark.parametrize("field", ["district", "director", "region"])
def test_another_regions_choices_are_refused(client, director, director2, world, cases, field):
    value = {"district": world.district_b.pk, "director": director2.pk, "region": world.region_b.pk}[field]
    client.force_login(director)
    response = client.get(f"/advocacy/caseload/?{field}={value}")
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert cases["delta"].number not in response.content.decode()


def test_a_case_number_finds_the_case(client, director, cases):
    client.force_login(director)
    assert _numbers(client.get(f"/advocacy/caseload/?q={cases['soon'].number}")) == [cases["soon"].number]


def test_the_query_count_does_not_grow_with_the_cases(client, director, world, cases, django_assert_max_num_queries):
    client.force_login(director)
    client.get("/advocacy/caseload/")
    with django_assert_max_num_queries(14) as few:
        client.get("/advocacy/caseload/")
    for n in range(30):
        case = make_case(director, world.district_a, title=f"Bulk {n}", note=False)
        make_deadline(case, due=date(2026, 12, 1 + n % 28))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/advocacy/caseload/")
    assert len(response.context["page"]) == 34


def test_the_csv_export(client, director, cases):
    GrievanceCase.objects.filter(pk=cases["soon"].pk).update(title="=HYPERLINK(\"http://evil.example\",\"x\")",
                                                            supervisor="@SUM(A1:A2)")
    GrievanceCase.objects.filter(pk=cases["later"].pk).update(title="+1 overtime", supervisor="-2 days")
    client.force_login(director)
    response = client.get("/advocacy/caseload/export.csv?status=")
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="mae-caseload-{TODAY.isoformat()}.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Case number"] for row in rows] == [cases[k].number for k in ("overdue", "soon", "later", "closed", "none")]
    overdue = rows[0]
    assert overdue["Next deadline"] == "2026-11-05" and overdue["Overdue"] == "yes"
    assert overdue["Next deadline step"] == "Level 1: written grievance to the principal"
    assert overdue["Grievants"] == "Shelton, Tamika" and overdue["District"] == "Tupelo Public School District"
    assert overdue["Director"] == director.email or overdue["Director"] == director.get_full_name()
    assert rows[1]["Title"] == "'=HYPERLINK(\"http://evil.example\",\"x\")" and rows[1]["Supervisor"] == "'@SUM(A1:A2)"
    assert rows[2]["Title"] == "'+1 overtime" and rows[2]["Supervisor"] == "'-2 days"
    assert rows[3]["Outcome"] == "Won"
    assert NOTE_TEXT not in text and cases["overdue"].facts not in text and cases["delta"].number not in text
    entry = AuditLog.objects.get(action="advocacy.caseload_exported")
    assert entry.actor == director and entry.changes["count"] == 5


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Plain", "Plain"), ("a=b", "a=b"), ("", ""), (None, ""), (42, "42"),
])
def test_csv_cells_that_would_run_get_an_apostrophe(value, expected):
    assert csv_safe(value) == expected


def test_the_caseload_link_is_for_case_workers(client, director, member):
    client.force_login(member)
    assert "/advocacy/caseload/" not in client.get("/dashboard/").content.decode()
    client.force_login(director)
    assert "/advocacy/caseload/" in client.get("/dashboard/").content.decode()
