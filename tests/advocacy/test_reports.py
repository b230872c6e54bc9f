"""Manager reports: for region managers and admins only; counts by district, worksite, supervisor, issue,
outcome and director over a period (this school year by default), each as an SVG chart with its table; the
supervisors named on case after case; a query count that does not grow with the cases."""

from datetime import date

import pytest

from advocacy.selectors.reports import chart_rows, school_year_of
from members import clock
from tests.advocacy.factories import issue_category
from tests.advocacy.reports_helpers import make_case
from tests.factories import WorksiteFactory

TODAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 10), (date(2026, 7, 1), date(2027, 6, 30))),
    (date(2026, 7, 1), (date(2026, 7, 1), date(2027, 6, 30))),
    (date(2026, 6, 30), (date(2025, 7, 1), date(2026, 6, 30))),
    (date(2027, 1, 1), (date(2026, 7, 1), date(2027, 6, 30))),
])
def test_the_school_year(day, expected):
    assert school_year_of(day) == expected


def test_chart_geometry():
    rows, height = chart_rows([{"label": "A", "n": 8}, {"label": "B", "n": 2}])
    assert [row["width"] for row in rows] == [500, 125] and [row["y"] for row in rows] == [0, 38]
    assert height == 76 and chart_rows([]) == ([], 38)


@pytest.fixture
def cases(world, director, director2):
    carver = WorksiteFactory(district=world.district_a, name="Carver Middle School")
    lee = WorksiteFactory(district=world.district_a, name="Lee High School")
    # Eight grievances against one principal this year, spelled a little differently now and then.
    for n, spelling in enumerate(["Principal Dana Reed"] * 6 + ["principal dana reed", " Principal Dana Reed "]):
        make_case(director, world.district_a, worksite=carver, supervisor=spelling, note=False,
                  filed_on=date(2026, 8, 1 + n), issue_category=issue_category("Evaluation" if n % 2 else "Discipline"))
    make_case(director, world.district_a, worksite=lee, supervisor="Coach Ray Ortiz", filed_on=date(2026, 9, 2),
              status="closed", outcome="won", closed_on=date(2026, 10, 1), note=False)
    make_case(director2, world.district_b, supervisor="Principal Ann Moss", filed_on=date(2026, 9, 3),
              status="closed", outcome="settled", closed_on=date(2026, 10, 2), note=False)
    make_case(director2, world.district_b, supervisor="Principal Ann Moss", filed_on=date(2026, 10, 3), note=False)
    make_case(director, world.district_a, supervisor="Principal Dana Reed", filed_on=date(2026, 3, 1), note=False)


def _section(response, key):
    return next(section for section in response.context["breakdowns"] if section["key"] == key)


def _counts(section):
    return {row["label"]: row["n"] for row in section["rows"]}


def test_only_region_managers_and_admins(client, director, director2, member, region_manager, admin_user, world):
    for user, status in [(director, 403), (director2, 403), (member, 403), (region_manager, 200), (admin_user, 200)]:
        client.force_login(user)
        assert client.get("/advocacy/reports/").status_code == status, user.email


def test_the_report_counts_this_school_year(client, region_manager, director, director2, cases):
    director.first_name, director.last_name = "Denise", "Holloway"
    director.save()
    client.force_login(region_manager)
    response = client.get("/advocacy/reports/")
    assert response.context["start"] == date(2026, 7, 1) and response.context["end"] == date(2027, 6, 30)
    assert response.context["total"] == 11  # the March case is in the last school year
    assert _counts(_section(response, "district")) == {"Tupelo Public School District": 9,
                                                       "Greenville Public School District": 2}
    assert _counts(_section(response, "worksite"))["Carver Middle School (Tupelo Public School District)"] == 8
    assert _counts(_section(response, "outcome")) == {"Still open": 9, "Won": 1, "Settled": 1}
    assert _counts(_section(response, "issue")) == {"Evaluation": 7, "Discipline": 4}
    assert _counts(_section(response, "director")) == {"Denise Holloway": 9, director2.get_full_name(): 2}
    repeat = response.context["repeat"]
    assert [(row["name"], row["district__name"], row["n"]) for row in repeat] == [
        ("Principal Dana Reed", "Tupelo Public School District", 8),
        ("Principal Ann Moss", "Greenville Public School District", 2)]
    assert repeat[0]["worksites"] == "Carver Middle School" and repeat[0]["issues"] == "Discipline, Evaluation"
    assert repeat[1]["open"] == 1
    page = response.content.decode()
    assert page.count('<svg class="bar-chart"') == 6 and 'role="img"' in page
    assert '<th scope="row">Principal Dana Reed</th><td>Tupelo Public School District</td><td>8</td>' in page
    assert "<script" not in page.split("<main", 1)[1]


def test_the_period_and_region_are_chosen(client, region_manager, world, cases):
    client.force_login(region_manager)
    response = client.get(f"/advocacy/reports/?start=2026-01-01&end=2026-12-31&region={world.region_a.pk}")
    assert response.context["total"] == 10
    assert _counts(_section(response, "district")) == {"Tupelo Public School District": 10}
    response = client.get("/advocacy/reports/?start=2026-12-31&end=2026-01-01")
    assert "end" in response.context["form"].errors
    assert "The end of the period must be on or after its start." in response.content.decode()


def test_the_query_count_does_not_grow_with_the_cases(client, region_manager, world, director, cases,
                                                       django_assert_max_num_queries):
    client.force_login(region_manager)
    client.get("/advocacy/reports/")
    with django_assert_max_num_queries(20) as few:
        client.get("/advocacy/reports/")
    for n in range(30):
        worksite = WorksiteFactory(district=world.district_a, name=f"School {n}")
        make_case(director, world.district_a, worksite=worksite, supervisor=f"Principal {n}", note=False,
                  filed_on=date(2026, 9, 1 + n % 28))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/advocacy/reports/")
    assert response.context["total"] == 41


def test_a_region_alone_keeps_this_school_year(client, region_manager, world, cases):
    client.force_login(region_manager)
    response = client.get(f"/advocacy/reports/?region={world.region_b.pk}")
    assert response.context["start"] == date(2026, 7, 1) and response.context["total"] == 2
