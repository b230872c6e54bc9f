"""Celery tasks of the members app: thin wrappers that load ids and call services.

Documents are built by the core's one task, mae_portal.tasks.build_document."""

from celery import shared_task


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
