"""The staff search's and the roster's first pages read by SQL compiled once (selectors.search.compiled_rows), and
their filter fields' markup kept (views.field_markup): the same rows and markup as before, and every change to
members, terms, statuses, scopes or the filter lists seen on the next request."""

from datetime import date, datetime

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.template.loader import get_template

from mae_portal.permissions import Groups
from members import clock
from members.forms.roster import RosterFilterForm
from members.forms.staff import StaffSearchForm
from members.models import Local, Member, MembershipCategory, MembershipTerm, Payment
from members.rules import locals_in_scope
from members.selectors import search
from members.selectors.search import SEARCH_ROW_FIELDS, compiled_rows, member_search, member_search_page
from members.services.standing import member_standing_refresh_run
from members.views import field_markup
from members.views.roster import ROSTER_ROW_FIELDS
from tests.factories import LocalFactory, LocalOfficerFactory, MemberFactory
from tests.members.test_staff_pages import CHICAGO, GRACE, cases, esp, staff_client  # noqa: F401 (fixtures)

DAY = date(2026, 10, 15)
S = "/members/staff/members/"


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: DAY)
    return DAY


def shown(response):
    assert response.status_code == 200
    return [row.pk for row in response.context["page"]]


def test_first_pages_by_compiled_sql_are_the_orms_rows(cases, world, esp, monkeypatch):  # noqa: F811
    member_standing_refresh_run(today=DAY, grace_days=GRACE)
    built = []
    original = search.member_search
    monkeypatch.setattr(search, "member_search", lambda **kw: built.append(kw) or original(**kw))
    choices = [{}, {"status": "lapsed"}, {"status": "active"}, {"status": "none"}, {"category": esp},
               {"career_field": Member.objects.exclude(career_field=None).first().career_field},
               {"local": world.local_a}, {"region": world.region_a}, {"status": "active", "local": world.local_a}]
    for criteria, kept in [(criteria, kept) for criteria in choices for kept in (True, False)]:
        # In a test's transaction the order of a status is worked out every time (never kept): read by id or not.
        monkeypatch.setattr(search, "STATUS_KEPT", 500 if kept else 0)
        status_only = set(criteria) == {"status"} and kept
        for number, per_page in ((1, 50), (1, 3), (2, 3), (3, 5)):
            kw = {"today": DAY, "grace_days": GRACE, "stored_status": True, **criteria}
            orm = list(original(**kw).values_list(*SEARCH_ROW_FIELDS, named=True)
                       [(number - 1) * per_page:number * per_page + 1])
            built.clear()
            for _ in range(2):
                page = member_search_page(page_number=number, per_page=per_page, fields=SEARCH_ROW_FIELDS, **kw)
                assert list(page.object_list) == orm[:per_page] and page.has_next() == (len(orm) > per_page), criteria
                assert type(page.object_list[0]) is type(orm[0]) if orm else True
            assert len(built) <= (4 if status_only else 1), criteria  # compiled once at most, then run as it was


def test_a_known_status_is_written_into_the_sql_and_another_is_bound(cases):  # noqa: F811
    member_standing_refresh_run(today=DAY, grace_days=GRACE)
    sql, params = member_search(status="grace", today=DAY, grace_days=GRACE, stored_status=True).query.sql_with_params()
    assert "('grace')" in sql and "grace" not in params
    bogus = member_search(status="x') OR ('1'='1", today=DAY, grace_days=GRACE, stored_status=True)
    assert "x') OR ('1'='1" in bogus.query.sql_with_params()[1] and not bogus.exists()


def test_compiled_rows_reads_through_the_orm_what_it_cannot_run_as_is(world):
    MemberFactory(legal_last_name="Aaron", employer_district=world.district_a)
    plain = Member.objects.order_by("pk").values_list("pk", "legal_last_name")
    assert compiled_rows(("test-plain",), lambda: plain) == list(plain)
    assert ("test-plain",) not in search._COMPILED
    assert compiled_rows(("test-named",), lambda: plain.values_list("pk", named=True)) == list(
        plain.values_list("pk", named=True))
    assert ("test-named",) in search._COMPILED


def test_the_search_pages_show_every_change_on_the_next_request(staff_client, cases, esp, world, today):  # noqa: F811
    member_standing_refresh_run(today=DAY, grace_days=GRACE)
    unpaid = cases["annual unpaid"]
    lapsed = shown(staff_client.get(S, {"status": "lapsed"}))
    assert unpaid.pk in lapsed and unpaid.pk not in shown(staff_client.get(S, {"status": "active"}))
    # Paid by code around the services: queued, worked out by the next search.
    Payment.objects.filter(term__member=unpaid).update(status="succeeded",
                                                       paid_at=datetime(2026, 10, 1, tzinfo=CHICAGO))
    assert unpaid.pk not in shown(staff_client.get(S, {"status": "lapsed"}))
    assert unpaid.pk in shown(staff_client.get(S, {"status": "active"}))
    # Renamed, moved to another local: the first page shows the row as it is now.
    Member.objects.filter(pk=unpaid.pk).update(legal_last_name="Aardvark", local=world.local_b)
    html = staff_client.get(S).content.decode()
    assert shown(staff_client.get(S))[0] == unpaid.pk and "Aardvark" in html
    assert unpaid.pk in shown(staff_client.get(S, {"local": world.local_b.pk}))
    assert unpaid.pk not in shown(staff_client.get(S, {"local": world.local_a.pk}))
    # Another category for the latest term; a category renamed.
    retired = MembershipCategory.objects.get(code="retired")
    MembershipTerm.objects.filter(member=unpaid).update(category=retired)
    assert unpaid.pk in shown(staff_client.get(S, {"category": retired.pk}))
    assert unpaid.pk not in shown(staff_client.get(S, {"category": esp.pk}))
    MembershipCategory.objects.filter(pk=retired.pk).update(name="Retired (life)")
    html = staff_client.get(S).content.decode()
    assert "<td>Retired (life)</td>" in html and f'<option value="{retired.pk}">Retired (life)</option>' in html
    never = cases["never"]
    assert never.pk in shown(staff_client.get(S, {"status": "none"}))
    Member.objects.filter(pk=never.pk).delete()
    assert never.pk not in shown(staff_client.get(S)) + shown(staff_client.get(S, {"status": "none"}))


def test_the_roster_follows_a_change_of_role_or_office_at_once(client, director, world):
    a = MemberFactory(employer_district=world.district_a, local=world.local_a)
    b = MemberFactory(employer_district=world.district_b, local=world.local_b)
    client.force_login(director)
    response = client.get("/members/roster/")
    assert shown(response) == [a.pk] and f'<option value="{world.local_b.pk}">' not in response.content.decode()
    director.groups.add(Group.objects.get(name=Groups.LOCAL_LEADERS))  # and now leads local B too
    LocalOfficerFactory(local=world.local_b, user=director)
    response = client.get("/members/roster/")
    assert set(shown(response)) == {a.pk, b.pk}
    assert (f'<option value="{world.local_b.pk}">Greenville Association of Educators</option>'
            in response.content.decode())
    assert shown(client.get("/members/roster/", {"local": world.local_b.pk})) == [b.pk]
    world.region_a.directors.remove(director)  # the same roles, another region: the same SQL, other rows
    assert shown(client.get("/members/roster/")) == [b.pk]
    director.groups.remove(Group.objects.get(name=Groups.UNISERV_DIRECTORS))
    assert shown(client.get("/members/roster/")) == [b.pk]
    director.local_offices.all().delete()
    assert shown(client.get("/members/roster/")) == []


def test_the_roster_local_list_shows_a_new_or_renamed_local_at_once(client, director, world):
    client.force_login(director)
    html = client.get("/members/roster/").content.decode()
    assert f'<option value="{world.local_a.pk}">Tupelo Association of Educators</option>' in html
    new = LocalFactory(name="Lee County Association of Educators", districts=[world.district_a])
    Local.objects.filter(pk=world.local_a.pk).update(name="Tupelo Area Association of Educators")
    html = client.get("/members/roster/", {"local": new.pk}).content.decode()
    assert f'<option value="{new.pk}" selected>Lee County Association of Educators</option>' in html
    assert f'<option value="{world.local_a.pk}">Tupelo Area Association of Educators</option>' in html


@pytest.mark.parametrize("data", [None, "", "q=", "status=lapsed", "category=1", "category=01", "category=999",
                                  "q=%3Cb%3Eo%27neil", "local=&region=", "status=bogus"])
def test_kept_field_markup_is_the_includes(world, data):
    include = get_template("includes/_field.html")
    choices = search.search_filter_choices()
    for _ in range(2):  # made, then kept
        form = StaffSearchForm(QueryDict(data) if data is not None else None, choices=choices)
        form.is_valid()
        for name in form.fields:
            assert field_markup.field_markup(form, name) == include.render({"field": form[name]}), (data, name)
    form = RosterFilterForm(QueryDict(data) if data is not None else None, locals_qs=locals_in_scope(("everyone",)),
                            local_choices=list(Local.objects.values_list("pk", "name")))
    form.is_valid()
    for name in form.fields:
        assert field_markup.field_markup(form, name) == include.render({"field": form[name]}), (data, name)


def test_typed_text_and_errors_are_not_kept(world):
    field_markup._KEPT.clear()
    form = StaffSearchForm(QueryDict("q=someone+typed&category=999"), choices=search.search_filter_choices())
    assert not form.is_valid()
    assert "someone typed" in field_markup.field_markup(form, "q")
    assert "Select a valid choice" in field_markup.field_markup(form, "category")
    assert not any("someone typed" in str(key) or "999" in key for key in field_markup._KEPT)
    assert field_markup.field_markup(form, "status") and len(field_markup._KEPT) == 1


def test_roster_rows_by_compiled_sql_are_the_orms(client, director, world):
    made = [MemberFactory(employer_district=world.district_a, local=world.local_a) for _ in range(4)]
    client.force_login(director)
    from members.views import roster

    roster.ROSTER_PAGE_SIZE, size = 3, roster.ROSTER_PAGE_SIZE
    try:
        pages = [client.get("/members/roster/", {"page": n}).context["page"] for n in (1, 2)]
    finally:
        roster.ROSTER_PAGE_SIZE = size
    orm = list(Member.objects.filter(pk__in=[m.pk for m in made]).values_list(*ROSTER_ROW_FIELDS, named=True))
    assert [row for page in pages for row in page] == orm


@pytest.mark.django_db(transaction=True)  # kept only outside a transaction, as pages run
def test_a_status_order_is_kept_until_statuses_or_names_change(client, staff, cases, monkeypatch):  # noqa: F811
    monkeypatch.setattr(clock, "today", lambda: DAY)
    member_standing_refresh_run(today=DAY, grace_days=GRACE)
    client.force_login(staff)
    walks = []
    hints = search._planner_hints
    monkeypatch.setattr(search, "_planner_hints", lambda cursor, **kw: walks.append(kw) or hints(cursor, **kw))
    lapsed = shown(client.get(S, {"status": "lapsed"}))
    unpaid = cases["annual unpaid"]
    assert unpaid.pk in lapsed and len(walks) == 1
    assert shown(client.get(S, {"status": "lapsed"})) == lapsed and len(walks) == 1  # the kept order
    Payment.objects.filter(term__member=unpaid).update(status="succeeded",
                                                       paid_at=datetime(2026, 10, 1, tzinfo=CHICAGO))
    after = shown(client.get(S, {"status": "lapsed"}))  # worked out again by the search: another version
    assert after == [pk for pk in lapsed if pk != unpaid.pk] and len(walks) == 2
    assert unpaid.pk in shown(client.get(S, {"status": "active"}))
    walks.clear()
    last = Member.objects.get(pk=after[-1])
    Member.objects.filter(pk=last.pk).update(legal_last_name="Aaberg")  # sorted on: the search version moves
    assert shown(client.get(S, {"status": "lapsed"}))[0] == last.pk and len(walks) == 1
    gone = Member.objects.get(pk=after[0])
    Payment.objects.filter(member=gone).delete()
    MembershipTerm.objects.filter(member=gone).delete()
    Member.objects.filter(pk=gone.pk).delete()
    assert gone.pk not in shown(client.get(S, {"status": "lapsed"}))
