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


def visibility_scope(user) -> tuple:
    """What decides the members and locals `user` sees, as a key: ("nobody",), ("everyone",), or ("some", their
    user id, whether they direct a region, whether they lead a local). members_in_scope and locals_in_scope build
    the lists from this key alone, so one key always stands for the same lists (pages may keep their SQL on it)."""
    if not user.is_authenticated:
        return ("nobody",)
    if is_membership_staff(user) or is_region_manager(user):
        return ("everyone",)
    return ("some", user.pk, bool(is_uniserv_director(user)), bool(is_local_leader(user)))


def members_in_scope(scope: tuple):
    """The members of a visibility_scope (see members_visible_to)."""
    if scope[0] == "nobody":
        return Member.objects.none()
    if scope[0] == "everyone":
        return Member.objects.all()
    _, user_id, director, leader = scope
    visible = Q(user=user_id)
    if director:
        visible |= Q(employer_district__region__in=UniServRegion.objects.filter(directors=user_id))
    if leader:
        visible |= Q(local__in=Local.objects.filter(officers__user=user_id))
    return Member.objects.filter(visible)


def locals_in_scope(scope: tuple):
    """The locals of a visibility_scope (see locals_visible_to)."""
    if scope[0] == "everyone":
        return Local.objects.all()
    director, leader = scope[2:] if scope[0] == "some" else (False, False)
    visible = Q(officers__user=scope[1]) if leader else Q(pk__in=[])
    if director:
        visible |= Q(districts__region__directors=scope[1])
    return Local.objects.filter(visible).distinct()


def members_visible_to(user):
    """Staff and region managers: everyone. A director: the members employed in their region's
    districts. A local leader: the members of the locals they are an officer of. Anyone: themself.
    Anonymous: no one."""
    return members_in_scope(visibility_scope(user))


def locals_visible_to(user):
    """Staff and region managers: every local. A director: the locals of their region's districts.
    A local leader: the locals they are an officer of."""
    return locals_in_scope(visibility_scope(user))


@rules.predicate
def can_view_member(user, member):
    return member is not None and members_visible_to(user).filter(pk=member.pk).exists()


can_view_roster = is_membership_staff | is_region_manager | is_uniserv_director | is_local_leader | is_admin

rules.add_perm("members.view_member", can_view_member)
rules.add_perm("members.view_roster", can_view_roster)
