"""Celery tasks of the esp app: thin wrappers that call services."""

from celery import shared_task


@shared_task
def send_review_reminders():
    """Daily: remind reviewers with unfinished reviews (each at most once every few days)."""
    from django.utils import timezone

    from esp.services.review import review_reminders_send

    return review_reminders_send(now=timezone.now())
