import csv
import io

import pytest

from mae_portal.models import AuditLog
from members.rules import members_visible_to
from tests.factories import LocalFactory, MemberFactory


@pytest.fixture
def crowd(world):
    """Members in both regions and a second local in region A."""
    other_local_a = LocalFactory(name="Lee County Association of Educators", districts=[world.district_a])
    a_members = MemberFactory.create_batch(3, employer_district=world.district_a, local=world.local_a)
    a_other_local = MemberFactory.create_batch(2, employer_district=world.district_a, local=other_local_a)
    b_members = MemberFactory.create_batch(4, employer_district=world.district_b, local=world.local_b)
    return a_members, a_other_local, b_members


def numbers(queryset):
    return set(queryset.values_list("member_number", flat=True))


def test_scopes(member, leader, director, director2, staff, outsider, crowd):
    a_members, a_other_local, b_members = crowd
    a_local_numbers = {m.member_number for m in a_members} | {member.member.member_number, leader.member.member_number}
    assert numbers(members_visible_to(leader)) == a_local_numbers
    assert numbers(members_visible_to(director)) == a_local_numbers | {m.member_number for m in a_other_local}
    assert numbers(members_visible_to(director2)) == {m.member_number for m in b_members}
    assert numbers(members_visible_to(member)) == {member.member.member_number}
    assert numbers(members_visible_to(outsider)) == set()
    assert members_visible_to(staff).count() == 2 + 3 + 2 + 4


def test_leader_sees_only_their_local_and_can_filter_by_name(client, leader, crowd):
    a_members, _, b_members = crowd
    client.force_login(leader)
    html = client.get("/members/roster/").content.decode()
    assert all(f">{m.member_number}<" in html for m in a_members)
    assert not any(f">{m.member_number}<" in html for m in b_members)
    target = a_members[0]
    html = client.get("/members/roster/", {"q": target.legal_last_name[:4].lower()}).content.decode()
    assert f">{target.member_number}<" in html
    html = client.get("/members/roster/", {"q": str(target.member_number)}).content.decode()
    assert "1 member<" in html


def test_leader_cannot_pick_another_local_in_the_filter(client, leader, world, crowd):
    client.force_login(leader)
    response = client.get("/members/roster/", {"local": world.local_b.pk})
    assert "Select a valid choice" in response.content.decode()


def test_roster_query_count_does_not_grow_with_rows(client, staff, world, django_assert_max_num_queries):
    client.force_login(staff)
    MemberFactory.create_batch(3, employer_district=world.district_a, local=world.local_a)
    with django_assert_max_num_queries(16) as few:
        client.get("/members/roster/")
    MemberFactory.create_batch(40, employer_district=world.district_b, local=world.local_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/members/roster/")
    assert response.context["page"].total == 43 and "43 members" in response.content.decode()
    MemberFactory.create_batch(10, employer_district=world.district_b, local=world.local_b)
    first = client.get("/members/roster/").content.decode()  # 53: not counted, a next page said to exist
    assert "More than 50 members" in first and 'rel="next"' in first
    second = client.get("/members/roster/", {"page": 2})
    assert len(second.context["page"]) == 3 and "Members 51 to 53 of 53" in second.content.decode()


def test_export_is_scoped_audited_and_safe_for_spreadsheets(client, director2, world, crowd):
    _, _, b_members = crowd
    b_members[0].legal_last_name = "=HYPERLINK(\"http://evil\")"
    b_members[0].save()
    client.force_login(director2)
    response = client.get("/members/roster/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="mae-roster.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Member number"
    assert {int(r[0]) for r in rows[1:]} == {m.member_number for m in b_members}
    assert any(r[1].startswith("'=HYPERLINK") for r in rows[1:])
    entry = AuditLog.objects.get(action="members.roster_exported")
    assert entry.actor == director2 and entry.changes["rows"] == 4


def test_member_detail_is_404_outside_scope(client, leader, world):
    stranger = MemberFactory(employer_district=world.district_b, local=world.local_b)
    client.force_login(leader)
    assert client.get(f"/members/{stranger.member_number}/").status_code == 404
