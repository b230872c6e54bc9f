from celery import shared_task
from django.conf import settings


# The hard time limit bounds how long a SENDING claim can be legitimately held (EMAIL_SENDING_TIMEOUT_SECONDS
# is longer), and keeps every run shorter than the broker's visibility timeout. Retries are counted in the
# row (EmailDelivery.attempts), not by Celery, so max_retries is off here.
@shared_task(bind=True, max_retries=None, time_limit=settings.EMAIL_SEND_TIME_LIMIT)
def deliver_email(self, delivery_id: int):
    from mae_portal import emails

    attempt = emails.deliver(delivery_id, may_wait=not self.request.is_eager)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)


# Many emails queued at once (the nightly notices) are handed over in batches, one task per batch: publishing
# costs about as much as rendering, so a run of 80,000 notices publishes 800 tasks, not 80,000. The batch's hard
# limit is one send's, so a SENDING claim is still never held longer than EMAIL_SEND_TIME_LIMIT; a batch hands
# what it has not sent by half that time to a new task (emails.deliver_batch).
@shared_task(time_limit=settings.EMAIL_SEND_TIME_LIMIT)
def deliver_email_batch(delivery_ids: list[int]):
    from mae_portal import emails

    emails.deliver_batch(delivery_ids, budget_seconds=settings.EMAIL_SEND_TIME_LIMIT / 2)


@shared_task
def sweep_outbox():
    """Re-enqueue what the broker lost: queued emails (and, later, pending documents)."""
    from django.utils import timezone

    from mae_portal.outbox import outbox_sweep

    return outbox_sweep(now=timezone.now())


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=60, max_retries=5)
def build_document(document_id: str):
    """Build one stored document of any kind (idempotent: a ready document is not rebuilt)."""
    from mae_portal.documents import document_build

    document_build(document_id=document_id)
