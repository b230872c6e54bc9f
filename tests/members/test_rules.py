"""members/rules.py: the scopes and the single-object rules agree, and region managers see every region
without becoming membership staff."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from mae_portal.access import get_visible_or_404
from mae_portal.permissions import is_membership_staff, is_region_manager
from members.models import Local, Member
from members.rules import locals_visible_to, members_visible_to
from tests.factories import DistrictFactory, LocalFactory, MemberFactory, RegionFactory


@pytest.fixture
def three_regions(world):
    region_c = RegionFactory(name="Gulf Coast")
    district_c = DistrictFactory(name="Biloxi Public School District", region=region_c)
    local_c = LocalFactory(name="Biloxi Association of Educators", districts=[district_c])
    members = [
        MemberFactory(employer_district=world.district_a, local=world.local_a),
        MemberFactory(employer_district=world.district_b, local=world.local_b),
        MemberFactory(employer_district=district_c, local=local_c),
    ]
    return members


def test_region_managers_see_every_member_and_local_of_every_region(region_manager, three_regions):
    assert set(members_visible_to(region_manager)) == set(Member.objects.all())
    assert set(locals_visible_to(region_manager)) == set(Local.objects.all()) and Local.objects.count() == 3
    for record in three_regions:
        assert region_manager.has_perm("members.view_member", record)
        assert get_visible_or_404(members_visible_to(region_manager), member_number=record.member_number) == record
    assert region_manager.has_perm("members.view_roster")


def test_region_managers_are_not_membership_staff(region_manager, staff):
    assert is_region_manager(region_manager) and not is_membership_staff(region_manager)
    assert not is_region_manager(staff)


def test_a_director_sees_only_their_region(director, director2, three_regions):
    a, b, c = three_regions
    assert set(members_visible_to(director)) == {a}
    assert set(members_visible_to(director2)) == {b}
    assert director.has_perm("members.view_member", a) and not director.has_perm("members.view_member", b)
    with pytest.raises(Http404):
        get_visible_or_404(members_visible_to(director), member_number=b.member_number)
    with pytest.raises(Http404):
        get_visible_or_404(members_visible_to(director), member_number="not a number")


def test_the_single_object_rule_agrees_with_the_scope_for_every_persona(request, three_regions, member):
    from tests.conftest import PERSONAS

    records = [*three_regions, member.member]
    for name in PERSONAS:
        user = AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)
        visible = set(members_visible_to(user))
        assert {r for r in records if user.has_perm("members.view_member", r)} == visible & set(records), name
