"""What every advocacy view shares: the case-worker guard and loading a case through the access kit."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from advocacy.rules import cases_for_staff, cases_of_member, works_cases
from mae_portal.access import get_visible_or_404

CASE_RELATED = ("case_type_version__case_type", "region", "director", "district", "worksite", "issue_category",
                "current_step", "request")


def case_worker_required(view):
    """Directors, region managers and admins (two-factor sign-in is enforced by the core's middleware);
    everyone else signed in gets 403, signed-out visitors go to sign in."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not works_cases(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_case(request, pk):
    """A case this user works, or 404 (another region's case, or none)."""
    return get_visible_or_404(cases_for_staff(request.user).select_related(*CASE_RELATED), pk=pk)


def member_case(request, pk):
    """A case the signed-in user is a grievant on, or 404."""
    return get_visible_or_404(cases_of_member(request.user).select_related(*CASE_RELATED), pk=pk)
