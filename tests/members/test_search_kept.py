"""The staff search keeps its words' lexicon names and the order of its matches (selectors.search): what it shows
changes as soon as the members or districts it matches on change."""

from datetime import date

import pytest

from members.models import District, Member, NameLexicon
from members.selectors.search import member_search
from tests.factories import LocalFactory, MemberFactory

S = "/members/staff"
DAY = date(2026, 10, 15)
GRACE = 30


def numbers(staff_client, query, **params):
    response = staff_client.get(f"{S}/members/", {"q": query, **params})
    assert response.status_code == 200
    return [m.member_number for m in response.context["page"]]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def hollis(world):
    return MemberFactory(legal_first_name="Odessa", legal_last_name="Hollis", email="oh@example.net",
                         employer_district=world.district_b, local=world.local_b)


def test_a_new_name_is_found_by_the_next_search(world):
    assert not member_search(query="zebulonn", today=DAY, grace_days=GRACE).exists()  # its lexicon names kept
    before = NameLexicon.objects.count()
    newcomer = MemberFactory(legal_first_name="Ada", legal_last_name="Zebulon", employer_district=world.district_a)
    assert NameLexicon.objects.count() > before
    assert list(member_search(query="zebulonn", today=DAY, grace_days=GRACE)) == [newcomer]


def test_a_member_added_renamed_or_removed_shows_at_once(staff_client, hollis, world):
    assert numbers(staff_client, "hollis") == [hollis.member_number]
    assert numbers(staff_client, "hollis") == [hollis.member_number]  # the kept order
    other = MemberFactory(legal_first_name="Abe", legal_last_name="Hollis", email="abe@example.net",
                          employer_district=world.district_a, local=world.local_a)
    assert numbers(staff_client, "hollis") == [other.member_number, hollis.member_number]
    Member.objects.filter(pk=hollis.pk).update(legal_last_name="Quarles")  # a write by any code
    assert numbers(staff_client, "hollis") == [other.member_number]
    assert numbers(staff_client, "quarles") == [hollis.member_number]
    other.email = "abe.hollis@example.net"
    other.save()
    Member.objects.filter(pk=other.pk).update(legal_last_name="Marsh")
    assert numbers(staff_client, "hollis") == [other.member_number]  # by email now
    other.delete()
    assert numbers(staff_client, "hollis") == []


def test_a_renamed_district_is_searched_by_its_new_name(staff_client, hollis, world):
    assert hollis.member_number in numbers(staff_client, "greenville")
    District.objects.filter(pk=world.district_b.pk).update(name="Leland School District")
    assert hollis.member_number not in numbers(staff_client, "greenville")
    assert hollis.member_number in numbers(staff_client, "leland")


def test_the_page_shows_each_members_current_row_and_other_filters_read_afresh(staff_client, hollis, world):
    html = staff_client.get(f"{S}/members/", {"q": "hollis"}).content.decode()
    assert "Greenville Association of Educators" in html
    local = LocalFactory(name="Leland Association of Educators", districts=[world.district_b])
    Member.objects.filter(pk=hollis.pk).update(local=local, preferred_name="Dessa")  # not a matched column
    html = staff_client.get(f"{S}/members/", {"q": "hollis"}).content.decode()
    assert "Leland Association of Educators" in html and "(Dessa)" in html
    assert numbers(staff_client, "hollis", local=world.local_b.pk) == []
    assert numbers(staff_client, "hollis", local=local.pk) == [hollis.member_number]


def test_pages_past_the_kept_matches_are_read_afresh(staff_client, world, monkeypatch):
    monkeypatch.setattr("members.selectors.search.MATCHES_KEPT", 3)
    made = MemberFactory.create_batch(6, legal_first_name="Lee", legal_last_name="Pruitt", employer_district=world.district_a,
                                      local=world.local_a)
    shown = sorted(m.member_number for m in made)
    assert numbers(staff_client, "pruitt") == shown
    monkeypatch.setattr("members.views.staff.search.SEARCH_PAGE_SIZE", 2)
    assert numbers(staff_client, "pruitt") == shown[:2]  # from the kept three
    assert numbers(staff_client, "pruitt", page=2) == shown[2:4]  # past them
    assert numbers(staff_client, "pruitt", page=3) == shown[4:]


def test_the_filter_lists_show_a_new_or_renamed_choice_at_once(staff_client, world):
    html = staff_client.get(f"{S}/members/").content.decode()
    assert f'<option value="{world.local_a.pk}">Tupelo Association of Educators</option>' in html
    local = LocalFactory(name="Leland Association of Educators", districts=[world.district_b])
    world.region_a.name = "Hill Country"
    world.region_a.save()
    html = staff_client.get(f"{S}/members/", {"local": local.pk}).content.decode()
    assert f'<option value="{local.pk}" selected>Leland Association of Educators</option>' in html
    assert f"Region {world.region_a.number}: Hill Country</option>" in html
