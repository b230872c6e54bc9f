"""Who may see which request, case and case document. List scopes and single-object rules share one
definition, and views load through them (`get_visible_or_404(cases_visible_to(user), pk=...)`), so a page
never shows a row its detail view would refuse.

- A UniServ director: the requests and cases of their own region(s); nothing of another region (404).
- Region managers and admins: every region, read and work (they supervise the directors).
- A member (anyone signed in): the requests they made and the cases they are a grievant on, through the
  member pages only: shared updates, shared events and shared documents, never a private note.
- Everyone else: nothing.
"""

import rules
from django.db.models import Q

from advocacy.models import GrievanceCase, RepresentationRequest
from mae_portal.permissions import is_admin, is_region_manager, is_uniserv_director


def works_cases(user) -> bool:
    """Directors, region managers and admins: the people who work cases."""
    return user.is_authenticated and bool(is_uniserv_director(user) or is_region_manager(user) or is_admin(user))


def requests_for_staff(user):
    """The requests this user works (intake queue): their region's as a director, every one as a manager."""
    if not works_cases(user):
        return RepresentationRequest.objects.none()
    if is_region_manager(user):
        return RepresentationRequest.objects.all()
    return RepresentationRequest.objects.filter(region__directors=user)


def cases_for_staff(user):
    """The cases this user works: their region's as a director, every one as a region manager or admin."""
    if not works_cases(user):
        return GrievanceCase.objects.none()
    if is_region_manager(user):
        return GrievanceCase.objects.all()
    return GrievanceCase.objects.filter(region__directors=user)


def requests_of_member(user):
    """The requests the user made themself."""
    if not user.is_authenticated:
        return RepresentationRequest.objects.none()
    return RepresentationRequest.objects.filter(requester=user)


def cases_of_member(user):
    """The cases the user is a grievant on (through their member record), and the cases opened from a request
    they made (a non-member's accepted request has no grievant record, and they still follow their case)."""
    if not user.is_authenticated:
        return GrievanceCase.objects.none()
    return GrievanceCase.objects.filter(Q(grievants__user=user) | Q(request__requester=user)).distinct()


def case_documents_scope(user) -> Q:
    """Over mae_portal.StoredDocument: the case documents this user may open. Staff: every document of the
    cases and requests they work. A member: the shared documents of their cases, and what they uploaded
    to their own requests and cases."""
    staff = Q(pk__in=[])
    if works_cases(user):
        if is_region_manager(user):
            staff = Q(case_link__isnull=False)
        else:
            staff = Q(case_link__case__region__directors=user) | Q(case_link__request__region__directors=user)
    member = (Q(case_link__shared=True, case_link__case__grievants__user=user)
              | Q(case_link__shared=True, case_link__case__request__requester=user)
              | Q(case_link__added_by=user, case_link__request__requester=user)
              | Q(case_link__added_by=user, case_link__case__grievants__user=user))
    return staff | member


@rules.predicate
def can_work_case(user, case):
    return case is not None and cases_for_staff(user).filter(pk=case.pk).exists()


rules.add_perm("advocacy.work_case", can_work_case)
