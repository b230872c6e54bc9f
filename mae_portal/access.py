"""The access kit: one way to load what a user may see, one way to require that they may change it.

Each app keeps its `<things>_visible_to(user)` scopes and single-object rules in `<app>/rules.py`,
which the rules package discovers at start-up. Views load through these helpers:

- `get_visible_or_404(scope, **lookup)`: the object, or 404 when the user may not know it exists;
- `require_change(user, perm, obj)`: 403 when the user may see the object but not change it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404


def get_visible_or_404(scope, **lookup):
    """The one object of `scope` (a queryset already limited to what the user may see) matching `lookup`."""
    try:
        return scope.get(**lookup)
    except (scope.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {scope.model._meta.verbose_name} matches the given query.") from None


def require_change(user, perm: str, obj=None):
    """Raise 403 unless `user` has the rules permission `perm` (on `obj`)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj
