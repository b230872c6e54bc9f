from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from mae_portal import emails


@shared_task(bind=True, max_retries=settings.EMAIL_TASK_MAX_RETRIES)
def deliver_email(self, delivery_id: int):
    try:
        emails.deliver(delivery_id)
    except (SMTPException, OSError) as exc:
        final = self.request.retries >= self.max_retries
        emails.record_failure(delivery_id, exc, final=final)
        if final:
            raise
        countdown = min(30 * 2**self.request.retries, settings.CELERY_MAX_COUNTDOWN_SECONDS)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def build_document(document_id: str):
    """Build one stored document of any kind (idempotent: a ready document is not rebuilt)."""
    from mae_portal.documents import document_build

    document_build(document_id=document_id)
