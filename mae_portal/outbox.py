"""The transactional outbox: work recorded in the database first, handed to Celery after the commit,
and swept back onto the queue when the hand-off was lost.

A service writes its row (an EmailDelivery, a pending document) in its transaction and calls
`enqueue_on_commit(task, pk)`. If the broker is down, the publish fails quietly (logged) and the row
waits; if a worker dies, Redis gives the task back after the visibility timeout. Either way the row
is still there, and `outbox_sweep()` (beat, every minute; `manage.py sweep_outbox --every 60` under
`make run`) enqueues it again. Tasks must therefore be idempotent per row: the sweep may enqueue a
row whose first task is merely late.

A sweeper is a function `sweeper(*, now) -> int` (how many rows it enqueued) listed in SWEEPERS:
emails and pending documents today. `claim_stale` needs a nullable timestamp on the row
(`enqueued_at`), bumped on each hand-off.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

log = logging.getLogger(__name__)

SWEEP_BATCH = 500  # rows per sweeper per run; the next run takes the rest


def sweep_after() -> timedelta:
    return timedelta(minutes=settings.OUTBOX_SWEEP_AFTER_MINUTES)


def publish(task, *args) -> bool:
    """Hand one task to the broker, or run it inline when there is none. Never raises.

    Called after a commit, usually in a web request: a broker that is down must not turn a saved
    payment into a 500. Publishing is not retried (the sweep is the retry) and fails within about a
    second (CELERY_BROKER_TRANSPORT_OPTIONS). Inline (no broker: `make run`, tests), the task itself
    runs here, and its failure is logged the same way: the row stays for the sweep.
    """
    try:
        task.apply_async(args, retry=False)
    except Exception:  # whatever failed, the row is saved and the sweep will retry; the caller must not fail
        log.exception("could not hand %s%r to the queue; the outbox sweep will retry it", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *arg_tuples) -> None:
    """After the current transaction commits, publish `task` once per tuple of arguments."""

    def hand_off():
        for args in arg_tuples:
            publish(task, *args)

    transaction.on_commit(hand_off)


def claim_stale(queryset: QuerySet, *, stamp: str, older_than: datetime, now: datetime) -> list:
    """Pks of rows in `queryset` whose `stamp` is null or older than `older_than`, now stamped with
    `now`, in the caller's transaction.

    Safe to run concurrently and often: rows locked by another sweep (or by a task claiming them) are
    skipped, and a row just stamped is not stale for another `sweep_after()`, so two sweeps enqueue a
    row once."""
    stale = Q(**{f"{stamp}__isnull": True}) | Q(**{f"{stamp}__lt": older_than})
    pks = list(
        queryset.filter(stale)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if pks:
        queryset.model.objects.filter(pk__in=pks).update(**{stamp: now})
    return pks


def email_sweep(*, now: datetime) -> int:
    """Queued emails that are due and whose task was lost, and emails whose SENDING claim expired."""
    from mae_portal.models import EmailDelivery
    from mae_portal.tasks import deliver_email

    Status = EmailDelivery.Status
    lost_claim = Q(status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=settings.EMAIL_SENDING_TIMEOUT_SECONDS))
    due = Q(status=Status.QUEUED, next_attempt_at__lte=now)
    pks = claim_stale(EmailDelivery.objects.filter(due | lost_claim), stamp="enqueued_at",
                      older_than=now - sweep_after(), now=now)
    enqueue_on_commit(deliver_email, *[(pk,) for pk in pks])
    return len(pks)


def document_sweep(*, now: datetime) -> int:
    """Pending generated documents whose build was lost (broker down, worker killed)."""
    from mae_portal.models import StoredDocument
    from mae_portal.tasks import build_document

    pending = StoredDocument.objects.filter(status=StoredDocument.Status.PENDING,
                                            origin=StoredDocument.Origin.GENERATED)
    pks = claim_stale(pending, stamp="enqueued_at", older_than=now - sweep_after(), now=now)
    enqueue_on_commit(build_document, *[(str(pk),) for pk in pks])
    return len(pks)


SWEEPERS: list[Callable[..., int]] = [email_sweep, document_sweep]


def outbox_sweep(*, now: datetime) -> dict[str, int]:
    """Run every sweeper, each in its own transaction; returns rows enqueued per sweeper."""
    enqueued = {}
    for sweeper in SWEEPERS:
        with transaction.atomic():
            enqueued[sweeper.__name__] = sweeper(now=now)
    if any(enqueued.values()):
        log.info("outbox sweep re-enqueued %s", enqueued)  # a retry that fell due, or a lost hand-off
    return enqueued
