"""What a user's own pages show, kept between requests under a version of that user's rows.

Every write to a row that a user's pages show about them (their account, their member record, terms, payments,
plans, documents they own...) gives that user a new random version, in the same transaction as the write, from
PostgreSQL triggers (so `QuerySet.update()`, bulk loads and raw SQL move it too: nothing is missed by a signal
not sent). Row 0 is everyone's version, moved by writes to what every user's pages show (reference data, the
renewal policy); a database made again starts with a new one, so it never meets markup kept for another.

`kept(user, name, build, day=...)` returns what `build()` returned for this user at these versions, their groups
and the day, from the cache, or builds it and keeps it. The versions are read before `build()` runs, so a value
kept under a version is never older than it. Inside a transaction nothing is read or kept: its own uncommitted
rows may move its versions, and a rollback would take them back. Markup kept for later requests carries
stand-ins for what each request must make afresh (its CSRF token, a form's double-submit token), replaced by
`fill_in(request, markup)`.

The apps declare their tables in their migrations: `user_version_triggers(table, users_sql)` for rows about
particular users, `everyone_version_triggers(table)` for rows every user's pages show."""

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import mark_safe

from mae_portal.permissions import group_names

KEPT_SECONDS = 3600
EVERYONE = 0
CSRF_STAND_IN = "kept-csrf-token-stand-in-5e0c1f"
FORM_TOKEN_STAND_IN = "kept-form-token-stand-in-9a4d27"


def versions(user) -> tuple[str, str] | None:
    """(everyone's version, the user's), read once per request (kept on the request's user object, as the user's
    member record and groups are: what a request writes shows from the next one); None when either is missing
    (nothing is kept then)."""
    if hasattr(user, "_mae_versions"):
        return user._mae_versions
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, version FROM mae_portal_userversion WHERE user_id IN (0, %s)", [user.pk])
        found = dict(cursor.fetchall())
    user._mae_versions = (str(found[EVERYONE]), str(found[user.pk])) if EVERYONE in found and user.pk in found else None
    return user._mae_versions


def _key(user, name: str, found: tuple[str, str], day: date | None) -> str:
    if not hasattr(user, "_mae_kept_prefix"):
        groups = hashlib.blake2b(",".join(sorted(group_names(user))).encode(), digest_size=8).hexdigest()
        flags = f"{int(user.is_superuser)}{int(user.is_staff)}{int(user.is_active)}"
        user._mae_kept_prefix = f"kept:{settings.DATABASES['default']['NAME']}:{user.pk}:{flags}:{groups}"
    return f"{user._mae_kept_prefix}:{found[0]}:{found[1]}:{day or ''}:{name}"


# Every name kept in this process, and whether it is kept per day: a request's first kept() asks the cache for
# all of them at once (a page asks for several: one round trip rather than one each).
_names: dict[str, bool] = {}
_ABSENT = ()


def kept(user, name: str, build: Callable[[], Any], *, day: date | None = None) -> Any:
    """`build()`'s value for this user at their current versions (and `day`, when it depends on the day)."""
    if not user.is_authenticated or connection.in_atomic_block:
        return build()
    found = versions(user)
    if found is None:
        return build()
    _names.setdefault(name, day is not None)
    key = _key(user, name, found, day)
    fetched = user.__dict__.setdefault("_mae_kept", {})
    if key not in fetched:
        if fetched:
            keys = [key]
        else:  # the request's first: every name this process keeps
            today = timezone.localdate()
            keys = list({key, *(_key(user, other, found, today if per_day else None)
                                for other, per_day in _names.items())})
        got = cache.get_many(keys)
        fetched.update({k: got.get(k, _ABSENT) for k in keys})
    entry = fetched[key]
    if entry is not _ABSENT:
        return entry[0]
    value = build()
    cache.set(key, (value,), KEPT_SECONDS)
    fetched[key] = (value,)
    return value


def form_token(request) -> str:
    """A fresh token for a form's double-submit guard: a stand-in while markup to be kept is built."""
    return FORM_TOKEN_STAND_IN if getattr(request, "_mae_building_kept", False) else str(uuid.uuid4())


def build_kept_markup(request, render: Callable[[dict], str]) -> str:
    """`render(extra_context)` with stand-ins for this request's tokens, so the markup can serve later requests."""
    request._mae_building_kept = True
    try:
        return render({"csrf_token": CSRF_STAND_IN})
    finally:
        request._mae_building_kept = False


def fill_in(request, markup: str) -> str:
    """Kept markup with this request's own CSRF token and a fresh form token in place of the stand-ins."""
    if CSRF_STAND_IN in markup:
        markup = markup.replace(CSRF_STAND_IN, get_token(request))
    if FORM_TOKEN_STAND_IN in markup:
        markup = markup.replace(FORM_TOKEN_STAND_IN, str(uuid.uuid4()))
    return mark_safe(markup)  # rendered by the template engine, escaped there


# --- for the apps' migrations ------------------------------------------------------------------------------


def user_version_triggers(table: str, users_sql: str) -> tuple[str, str]:
    """SQL (forward, backward) giving a new version to the users whose rows in `table` were inserted, updated
    (before or after) or deleted, per statement. `users_sql` selects their user ids from the relation `changed`
    (the rows as they were and are), e.g. "SELECT owner_id FROM changed"; TRUNCATE moves everyone's version."""
    function = f"{table}_user_versions"
    forward = f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM mae_portal_bump_user_versions(ARRAY(WITH changed AS (SELECT * FROM new_rows) {users_sql}));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM mae_portal_bump_user_versions(ARRAY(WITH changed AS (SELECT * FROM old_rows) {users_sql}));
    ELSE
        PERFORM mae_portal_bump_user_versions(ARRAY(
            WITH changed AS (SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) {users_sql}));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_uv_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_uv_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_uv_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_uv_truncate AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION mae_portal_bump_everyone_version();
"""
    backward = "".join(f"DROP TRIGGER IF EXISTS {table}_uv_{event} ON {table};\n"
                       for event in ("insert", "update", "delete", "truncate"))
    return forward, backward + f"DROP FUNCTION IF EXISTS {function}();\n"


def everyone_version_triggers(table: str) -> tuple[str, str]:
    """SQL (forward, backward) giving everyone a new version on any write to `table`."""
    forward = (f"CREATE TRIGGER {table}_uv_everyone AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}\n"
               f"FOR EACH STATEMENT EXECUTE FUNCTION mae_portal_bump_everyone_version();\n")
    return forward, f"DROP TRIGGER IF EXISTS {table}_uv_everyone ON {table};\n"
