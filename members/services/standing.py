"""Members' statuses stored for the staff search's status filters (models.MemberStanding).

`member_standing_refresh_run(today=...)` works out every member's status for the day (the nightly run, and a
job just after midnight) and records the day and grace period in StandingState. Triggers queue in StandingStale
every member whose terms or payments are written afterwards, by any code; `member_standing_ready(...)` works
those out again (a few, usually: the day's payments) before a search reads the stored statuses, and says whether
it may. Both write each status in one INSERT ... SELECT from selectors.search.members_with_status: the stored
status is the computed one.

Concurrency: the queue rows taken are deleted in the transaction that stores their statuses. A write committed
meanwhile queues its member again (its INSERT waits for the DELETE, then inserts), so a status worked out from a
snapshot without that write is never trusted.
"""

import functools
import logging
from datetime import date

from django.db import connection, transaction
from django.db.models import Exists
from django.utils import timezone

from members.models import Member, MemberStanding, StandingStale, StandingState
from members.selectors.search import members_with_status, standing_changed

log = logging.getLogger(__name__)

# A search works out at most this many queued statuses itself; more (a bulk import) are left to the next run,
# and searches meanwhile work out every status as before.
READY_AT_MOST = 2000


def _store(members, *, today: date, grace_days: int) -> int:
    """Store members_with_status of `members` (a Member queryset); returns how many were stored."""
    rows = members_with_status(members.order_by(), today=today, grace_days=grace_days).values("pk", "membership_status")
    select, params = rows.query.sql_with_params()
    table = MemberStanding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute(f"INSERT INTO {table} (member_id, status) SELECT * FROM ({select}) AS computed "
                       f"ON CONFLICT (member_id) DO UPDATE SET status = EXCLUDED.status", params)
        stored = cursor.rowcount
    standing_changed()  # the search's kept ids of each status are not read again
    return stored


@transaction.atomic
def member_standing_refresh_run(*, today: date, grace_days: int | None = None) -> dict:
    """Work out and store every member's status for `today`."""
    from members.models import RenewalPolicy

    grace = RenewalPolicy.current().grace_period_days if grace_days is None else grace_days
    StandingState.objects.select_for_update().filter(pk=1).first()  # one refresh at a time
    StandingStale.objects.all().delete()
    stored = _store(Member.objects.all(), today=today, grace_days=grace)
    table = MemberStanding._meta.db_table
    with connection.cursor() as cursor:  # members deleted since (no constraint ties the rows to them)
        cursor.execute(f"DELETE FROM {table} s WHERE NOT EXISTS "
                       f"(SELECT 1 FROM {Member._meta.db_table} m WHERE m.id = s.member_id)")
        # How many have each status decides the plan (walk the roster by name, or start from the few): fresh
        # figures now, not when autovacuum gets to it.
        cursor.execute(f"ANALYZE {table}")
    StandingState.objects.update_or_create(pk=1, defaults={"day": today, "grace_days": grace,
                                                           "refreshed_at": timezone.now()})
    log.info("stored the statuses of %s members for %s", stored, today)
    return {"stored": stored}


@functools.cache
def _state_sql() -> tuple[str, tuple]:
    # The state and whether any member is queued, in one query: the same every time, compiled once per process.
    state = StandingState.objects.filter(pk=1).annotate(queued=Exists(StandingStale.objects.all()))
    return state.order_by().values_list("day", "grace_days", "queued")[:1].query.sql_with_params()


def member_standing_ready(*, today: date, grace_days: int) -> bool:
    """May the stored statuses be read for `today`? After working out again those of the members queued since
    (if they are few). False when they are of another day or grace period, or too many are queued."""
    with connection.cursor() as cursor:
        cursor.execute(*_state_sql())
        state = cursor.fetchone()
    if state is None or state[:2] != (today, grace_days):
        return False
    if not state[2]:
        return True
    with transaction.atomic():
        ids = list(StandingStale.objects.order_by("member_id").values_list("member_id", flat=True)[:READY_AT_MOST + 1])
        if len(ids) > READY_AT_MOST:
            return False
        # Taken by this transaction; a search doing the same at once waits here, then finds them gone.
        taken = StandingStale.objects.filter(member_id__in=ids).select_for_update(skip_locked=True)
        ids = list(taken.values_list("member_id", flat=True))
        StandingStale.objects.filter(member_id__in=ids).delete()
        _store(Member.objects.filter(pk__in=ids), today=today, grace_days=grace_days)
    # Rows another search holds (skip_locked) are being worked out: ready once none is left.
    return not StandingStale.objects.exists()
