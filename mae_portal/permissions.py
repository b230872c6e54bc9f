"""Personas as groups, and the predicates every app's rules are built from.

Lists are scoped by explicit queryset functions in each app's rules.py (discovered by the rules package), next to the rule that
checks a single object, so a page never shows a row its detail view would refuse.

Region managers oversee every UniServ region: in each app's scopes they see what a director sees, for
every region at once (members: every member employed in any region's district, every local, the
roster and its export, member detail pages). They are not membership staff: `is_membership_staff`
is false for them, so payments, categories and term actions stay closed (403). Admins are both.
"""

import rules
from django.conf import settings


class Groups:
    MEMBERSHIP_STAFF = "Membership staff"
    UNISERV_DIRECTORS = "UniServ directors"
    REGION_MANAGERS = "Region managers"
    AWARDS_STAFF = "Awards staff"
    AWARD_REVIEWERS = "Award reviewers"
    MENTORING_COORDINATORS = "Mentoring coordinators"
    LOCAL_LEADERS = "Local leaders"

    ALL = [
        MEMBERSHIP_STAFF,
        UNISERV_DIRECTORS,
        REGION_MANAGERS,
        AWARDS_STAFF,
        AWARD_REVIEWERS,
        MENTORING_COORDINATORS,
        LOCAL_LEADERS,
    ]


def group_names(user) -> set[str]:
    """The user's group names, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_mae_group_names"):
        user._mae_group_names = set(user.groups.values_list("name", flat=True))
    return user._mae_group_names


def in_group(name):
    @rules.predicate(name=f"in_group:{name}")
    def predicate(user):
        return name in group_names(user)

    return predicate


is_admin = rules.is_superuser
is_membership_staff = in_group(Groups.MEMBERSHIP_STAFF) | is_admin
is_uniserv_director = in_group(Groups.UNISERV_DIRECTORS)
is_region_manager = in_group(Groups.REGION_MANAGERS) | is_admin
is_awards_staff = in_group(Groups.AWARDS_STAFF) | is_admin
is_award_reviewer = in_group(Groups.AWARD_REVIEWERS)
is_mentoring_coordinator = in_group(Groups.MENTORING_COORDINATORS) | is_admin
is_local_leader = in_group(Groups.LOCAL_LEADERS)


def works_for_mae(user) -> bool:
    """Staff, directors, region managers, reviewers, coordinators and admins: people who use the portal for
    their work (local leaders are members who lead a local, not staff)."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or bool(group_names(user) - {Groups.LOCAL_LEADERS})


def requires_mfa(user) -> bool:
    """Staff, directors, reviewers and admins must use two-factor authentication."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or bool(group_names(user) & set(settings.MFA_REQUIRED_GROUPS))

