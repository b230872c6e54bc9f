"""List pages do not make a query per row: the intake queue, my cases, the case list and the case page
(with many events, notes, updates and documents) take as many queries with many rows as with a few."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advocacy.models import CaseDeadline, CaseEvent, CaseNote, CaseUpdate
from tests.advocacy.cases_fixtures import add_document, case_for, request_for
from tests.advocacy.factories import ladder
from tests.factories import MemberFactory


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow_requests(member, n):
    for _ in range(n):
        request_for(member, urgency="soon")


def grow_cases(member, director, world, n):
    _, steps = ladder()
    for i in range(n):
        case = case_for(member, director, title=f"Case {i}")
        case.grievants.add(MemberFactory(employer_district=world.district_a, local=world.local_a))
        CaseDeadline.objects.create(case=case, step=steps[1], anchor_date=date(2026, 10, 5),
                                    computed_due=date(2026, 10, 19), explanation="10 working days after the incident")


@pytest.mark.parametrize("page", ["intake", "my_cases", "case_list"])
def test_list_pages_do_not_grow_with_rows(client, member, director, world, page, django_assert_max_num_queries):
    user = director if page in ("intake", "case_list") else member
    url = {"intake": reverse("advocacy:intake_queue"), "my_cases": reverse("advocacy:my_cases"),
           "case_list": reverse("advocacy:case_list")}[page]
    client.force_login(user)
    grow_requests(member, 2)
    grow_cases(member, director, world, 2)
    few = queries(client, url)
    grow_requests(member, 20)
    grow_cases(member, director, world, 20)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    if page == "case_list":
        assert response.content.decode().count("Oct 19, 2026") == 22  # each case's next date, from the annotation


def grow_case(case, director, member, n, start=0):
    for i in range(start, start + n):
        CaseEvent.objects.create(case=case, kind="other", occurred_on=date(2026, 10, 1 + i % 28), description=f"e{i}",
                                 recorded_by=director, shared=bool(i % 2))
        CaseNote.objects.create(case=case, author=director, body=f"note {i}")
        CaseUpdate.objects.create(case=case, author=director if i % 2 else member, by_member=not i % 2, body=f"u{i}")
        add_document(case, director, title=f"doc-{i}.pdf", shared=bool(i % 2))


@pytest.mark.parametrize("side", ["staff", "member"])
def test_the_case_page_does_not_grow_with_its_timeline(client, member, director, side, django_assert_max_num_queries):
    case = case_for(member, director)
    url = reverse("advocacy:case_detail" if side == "staff" else "advocacy:my_case", args=[case.pk])
    client.force_login(director if side == "staff" else member)
    grow_case(case, director, member, 2)
    few = queries(client, url)
    grow_case(case, director, member, 30, start=2)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert "doc-31.pdf" in response.content.decode()
