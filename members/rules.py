"""Who may see which member and which local. The list scopes and the single-object rules share one
definition, and views load through them (`get_visible_or_404(members_visible_to(user), ...)`), so a page
never shows a row its detail view would refuse.

Scopes by persona:

- Membership staff and admins: every member and every local, and they alone keep the membership books
  (the /members/staff/ pages: payments, refunds, terms, categories, dues, notices).
- Region managers oversee every UniServ region: they read every member employed in any region's district,
  every local, the roster and its export, and a member's detail page. They are not membership staff:
  every /members/staff/ page (payments, categories, term actions) answers them 403. In the admin they keep
  the regions themselves (which districts, which directors: mae_portal/roles.py).
- A UniServ director: the members employed in the districts of their own region(s) and those districts'
  locals; nothing of another region (404).
- A local leader: the members of the locals they are an officer of.
- Anyone signed in: their own member record.
"""

import rules
from django.db.models import Q

from mae_portal.permissions import (
    is_admin,
    is_local_leader,
    is_membership_staff,
    is_region_manager,
    is_uniserv_director,
)
from members.models import Local, Member, UniServRegion


def members_visible_to(user):
    """Staff and region managers: everyone. A director: the members employed in their region's
    districts. A local leader: the members of the locals they are an officer of. Anyone: themself.
    Anonymous: no one."""
    if not user.is_authenticated:
        return Member.objects.none()
    if is_membership_staff(user) or is_region_manager(user):
        return Member.objects.all()
    scope = Q(user=user)
    if is_uniserv_director(user):
        scope |= Q(employer_district__region__in=UniServRegion.objects.filter(directors=user))
    if is_local_leader(user):
        scope |= Q(local__in=Local.objects.filter(officers__user=user))
    return Member.objects.filter(scope)


def locals_visible_to(user):
    """Staff and region managers: every local. A director: the locals of their region's districts.
    A local leader: the locals they are an officer of."""
    if is_membership_staff(user) or is_region_manager(user):
        return Local.objects.all()
    scope = Q(officers__user=user) if is_local_leader(user) else Q(pk__in=[])
    if is_uniserv_director(user):
        scope |= Q(districts__region__directors=user)
    return Local.objects.filter(scope).distinct()


@rules.predicate
def can_view_member(user, member):
    return member is not None and members_visible_to(user).filter(pk=member.pk).exists()


can_view_roster = is_membership_staff | is_region_manager | is_uniserv_director | is_local_leader | is_admin

rules.add_perm("members.view_member", can_view_member)
rules.add_perm("members.view_roster", can_view_roster)
