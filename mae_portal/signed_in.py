"""The signed-in user of a request, read from the cache instead of three queries on every page.

Django's AuthenticationMiddleware reads the user's row on each request, the portal's rules then read their group
names, and the two-factor check (staff) whether they have an authenticator: three queries, about 1.5 ms of a
page whose bare cost is under one. Here the three answers are kept together in the cache for a minute and
dropped the moment any of them changes: the user saved or deleted, a group added, removed or renamed, an
authenticator added or removed (signals below). A session whose password hash no longer matches the cached row
is checked again against the database by Django's own get_user, so a changed password still ends other
sessions at once. (A change made with QuerySet.update(), which sends no signal, shows within TIMEOUT.)"""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

TIMEOUT = 60


def _key(user_id) -> str:
    return f"auth:signed-in:{user_id}"


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def _from_database(request):
    from allauth.mfa.utils import is_mfa_enabled

    from mae_portal.permissions import group_names

    user = auth.get_user(request)
    if user.is_authenticated:
        user._mae_mfa_enabled = is_mfa_enabled(user)
        cache.set(_key(user.pk), {"fields": _fields(user), "groups": sorted(group_names(user)),
                                  "mfa": user._mae_mfa_enabled}, TIMEOUT)
    return user


def signed_in_user(request):
    """What django.contrib.auth.get_user(request) returns, from the cache when the session's user is there."""
    session = request.session
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    cached = cache.get(_key(user_id))
    if cached is None:
        return _from_database(request)
    user = get_user_model()(**cached["fields"])
    user._state.adding, user._state.db = False, "default"
    user._mae_group_names, user._mae_mfa_enabled = set(cached["groups"]), cached["mfa"]
    session_hash = session.get(HASH_SESSION_KEY)
    backend = load_backend(backend_path)
    if (not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash())
            or not getattr(backend, "user_can_authenticate", lambda u: True)(user)):
        return _from_database(request)  # Django decides (fallback keys, flushing the session), on the row itself
    return user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """AuthenticationMiddleware with request.user from signed_in_user."""

    def process_request(self, request):
        super().process_request(request)

        def user():
            if not hasattr(request, "_cached_user"):
                request._cached_user = signed_in_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(user)


def forget(user_ids) -> None:
    """Drop the entries now and again once the change commits: a request reading the row between the two would
    otherwise keep the row as it was before the change."""
    keys = [_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def connect_signals() -> None:
    """Drop a user's cached entry when their row, groups or authenticators change (from AppConfig.ready)."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    User = get_user_model()

    def user_changed(sender, instance, **kwargs):
        forget([instance.pk])

    def authenticator_changed(sender, instance, **kwargs):
        forget([instance.user_id])

    def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
        if not action.startswith("post_") and action != "pre_clear":
            return
        if not reverse:  # user.groups.add/remove/clear
            forget([instance.pk])
        elif action == "pre_clear":  # group.user_set.clear()
            forget(instance.user_set.values_list("pk", flat=True))
        else:  # group.user_set.add/remove
            forget(pk_set or [])

    def group_changed(sender, instance, **kwargs):
        forget(instance.user_set.values_list("pk", flat=True))

    post_save.connect(user_changed, sender=User, dispatch_uid="mae_signed_in_user_saved")
    post_delete.connect(user_changed, sender=User, dispatch_uid="mae_signed_in_user_deleted")
    post_save.connect(authenticator_changed, sender=Authenticator, dispatch_uid="mae_signed_in_mfa_saved")
    post_delete.connect(authenticator_changed, sender=Authenticator, dispatch_uid="mae_signed_in_mfa_deleted")
    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="mae_signed_in_groups")
    post_save.connect(group_changed, sender=Group, dispatch_uid="mae_signed_in_group_saved")
    pre_delete.connect(group_changed, sender=Group, dispatch_uid="mae_signed_in_group_deleted")
