"""Celery tasks of the members app: thin wrappers that load ids and call services."""

from celery import shared_task
from weasyprint.urls import FatalURLFetchingError

from mae_portal.models import StoredDocument
from members.services import profile


@shared_task
def build_member_record_pdf(document_id: str):
    try:
        profile.member_record_pdf_build(document_id=document_id)
    except (Exception, FatalURLFetchingError):  # the latter is a BaseException
        # The member sees "could not be prepared" and may ask again; the error goes to the worker log.
        StoredDocument.objects.filter(pk=document_id, status=StoredDocument.Status.PENDING).update(
            status=StoredDocument.Status.FAILED
        )
        raise


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def build_membership_document(kind: str, pk):
    """Receipt (payment pk), card and coverage letter (term pk), authorization (authorization pk)."""
    from members.documents import membership_document_build

    membership_document_build(kind=kind, pk=pk)


@shared_task
def send_membership_welcome(payment_pk: int):
    """After a term's first payment: confirmation email, card and coverage letter."""
    from members.documents import membership_welcome_send

    membership_welcome_send(payment_pk=payment_pk)


@shared_task
def send_draft_failed(payment_pk: int):
    from members.documents import draft_failed_notify

    draft_failed_notify(payment_pk=payment_pk)


@shared_task
def run_membership_jobs(today: str | None = None):
    """The nightly membership run: automatic renewals, installment drafts, renewal notices, lapses."""
    from datetime import date

    from django.utils import timezone

    from members.services.nightly import membership_jobs_run

    membership_jobs_run(today=date.fromisoformat(today) if today else timezone.localdate())
