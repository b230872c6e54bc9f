"""Celery tasks of advocacy: thin wrappers that call services. Case letters are built by the core's one
task (mae_portal.tasks.build_document) and emails sent by mae_portal.tasks.deliver_email."""

from celery import shared_task


@shared_task
def send_deadline_alerts(today: str | None = None):
    """The daily run: email each director the deadlines that reached an alert threshold today."""
    from datetime import date

    from django.utils import timezone

    from advocacy.services.alerts import deadline_alerts_send

    return deadline_alerts_send(today=date.fromisoformat(today) if today else timezone.localdate())
