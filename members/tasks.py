"""Celery tasks of the members app: thin wrappers that load ids and call services.

Documents are built by the core's one task, mae_portal.tasks.build_document, and emails are sent by
mae_portal.tasks.deliver_email: both are recorded as rows by the services first (see
members/services/followups.py)."""

from celery import shared_task


@shared_task
def run_membership_jobs(today: str | None = None):
    """The nightly membership run: automatic renewals, installment drafts, renewal notices, lapses."""
    from datetime import date

    from django.utils import timezone

    from members.services.nightly import membership_jobs_run

    membership_jobs_run(today=date.fromisoformat(today) if today else timezone.localdate())


@shared_task
def refresh_member_statuses(today: str | None = None):
    """Just after midnight: the members' statuses stored for the new day (the staff search's status filters)."""
    from datetime import date

    from django.utils import timezone

    from members.services.standing import member_standing_refresh_run

    member_standing_refresh_run(today=date.fromisoformat(today) if today else timezone.localdate())
