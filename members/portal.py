"""What the members app plugs into the core (mae_portal/registry.py); called from MembersConfig.ready()."""

import rules
from celery.schedules import crontab

from mae_portal import registry, user_versions
from mae_portal.permissions import Groups, group_names, is_membership_staff, works_for_mae

ROSTER_GROUPS = {Groups.MEMBERSHIP_STAFF, Groups.LOCAL_LEADERS, Groups.UNISERV_DIRECTORS, Groups.REGION_MANAGERS}

MEMBERSHIP_STAFF_PERMISSIONS = {
    "members.member": ["view", "add", "change"],
    "members.district": ["view", "add", "change"],
    "members.districtclosure": ["view", "add", "change", "delete"],
    "members.worksite": ["view", "add", "change"],
    "members.local": ["view", "add", "change"],
    "members.localofficer": ["view", "add", "change", "delete"],
    "members.uniservregion": ["view", "add", "change"],
    "members.careerfield": ["view", "change"],
    "members.membershipcategory": ["view", "add", "change"],
    "members.duesrate": ["view", "add", "change"],
    "members.renewalpolicy": ["view", "change"],
    "members.renewalnoticerule": ["view", "add", "change"],
    "members.membershipterm": ["view"],
    "members.payment": ["view"],
    "members.paymentplan": ["view"],
    "members.draftauthorization": ["view"],
    "members.gatewayevent": ["view"],
    "members.renewalnotice": ["view"],
    "members.membernote": ["view"],
}
REGION_MANAGER_PERMISSIONS = {"members.uniservregion": ["view", "change"], "members.district": ["view"]}


def _member(user):
    """The user's member record, read once per request with what the dashboard and nav show of it.

    The reverse one-to-one caches its answer (None included), so the predicates below share one query;
    loading it here with its district, worksite, local and career field saves the page a query for each. Between
    requests it is kept under the user's versions (mae_portal.user_versions): any write to the record or to the
    reference rows it carries gives a new version."""
    if not user.is_authenticated:
        return None
    from members.models import User

    descriptor = User.member
    if not descriptor.is_cached(user):
        member = user_versions.kept(user, "member", lambda: _load_member(user))
        if member is not None:
            member.user = user
        descriptor.related.set_cached_value(user, member)
    return getattr(user, "member", None)


def _load_member(user):
    from members.models import Member

    return (Member.objects.select_related("employer_district__region", "worksite", "local", "career_field")
            .filter(user=user).first())


def has_member_record(user) -> bool:
    return _member(user) is not None


def may_view_roster(user) -> bool:
    """The roster rule itself (members/rules.py), not user.has_perm: for a user the rule refuses, has_perm goes on
    to Django's ModelBackend, which reads every permission of the user and their groups (two queries a page)."""
    return rules.has_perm("members.view_roster", user)


def may_see_roster_link(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(group_names(user) & ROSTER_GROUPS))


def _membership_panel(request):
    from members.views.member.dashboard import membership_dashboard

    return membership_dashboard(request.user, token=user_versions.form_token(request))


def _documents_expected(user) -> bool:
    from members.views.member.dashboard import membership_documents_expected

    return membership_documents_expected(user)


def _display_name(user):
    member = _member(user)
    return member.display_name if member else None


def may_join_nag(user) -> bool:
    """The "Join MAE" invitation is for people, not for staff at work (a staff account has no member record)."""
    return not works_for_mae(user)


def _staff_role(request):
    user = request.user
    roles = sorted(group_names(user)) or (["Administrator"] if user.is_superuser else ["MAE staff"])
    return {"roles": roles, "has_tools": may_view_roster(user)}


def _today():
    from members import clock

    return clock.today()


def _demo_loader(*, today, options):
    from members.demo import demo_loader

    return demo_loader(today=today, options=options)


def register() -> None:
    registry.register_demo_loader("members", _demo_loader, order=10)
    registry.register_nav_link("members:profile", label="My profile", order=40, visible=registry.signed_in)
    registry.register_nav_link("members:roster", label="Roster", order=50, visible=may_see_roster_link)
    registry.register_nav_link("members:staff_member_search", label="Members", order=60, visible=is_membership_staff)
    registry.register_nav_link("members:staff_payments_attention", label="Needs attention", order=61,
                               visible=is_membership_staff)

    registry.register_panel("home.actions", "members-join", template="members/home/_join_button.html", order=10,
                            visible=may_join_nag)
    registry.register_panel("home.notes", "members-join", template="members/home/_join_hint.html", order=10,
                            visible=may_join_nag)
    registry.register_panel("home.cards", "members", template="members/home/_card.html", order=10)

    registry.register_display_name(_display_name)
    registry.register_dashboard_panel("membership", template="members/dashboard/_membership.html",
                                      context=_membership_panel, visible=has_member_record, order=10,
                                      kept_per_day=_today)
    registry.register_dashboard_panel("member-record", template="members/dashboard/_record.html",
                                      context=lambda request: {"member": _member(request.user)},
                                      visible=has_member_record, order=20)
    registry.register_dashboard_panel("not-a-member", template="members/dashboard/_not_a_member.html",
                                      visible=lambda user: (user.is_authenticated and not has_member_record(user)
                                                            and may_join_nag(user)),
                                      order=20, kept_per_day=_today)
    # Staff see their work first: their role and tools come before any membership panel.
    registry.register_dashboard_panel("staff-role", template="members/dashboard/_staff_role.html",
                                      context=_staff_role, visible=works_for_mae, order=1)
    registry.register_dashboard_panel("member-tools", template="members/dashboard/_tools.html",
                                      context=lambda request: {"is_membership_staff": is_membership_staff(request.user)},
                                      visible=may_view_roster, order=5)
    registry.register_documents_expected("membership", _documents_expected)

    registry.register_group_permissions(Groups.MEMBERSHIP_STAFF, MEMBERSHIP_STAFF_PERMISSIONS)
    registry.register_group_permissions(Groups.REGION_MANAGERS, REGION_MANAGER_PERMISSIONS)

    # 5:15 a.m. Central: renewals, installment drafts, renewal notices and lapses for the day.
    registry.register_periodic_job("membership-jobs", task="members.tasks.run_membership_jobs",
                                   schedule=crontab(hour=5, minute=15))
    # 0:05 a.m.: the statuses the staff search filters on, for the new day (the nightly run stores them again).
    registry.register_periodic_job("member-statuses", task="members.tasks.refresh_member_statuses",
                                   schedule=crontab(hour=0, minute=5))
