"""Celery tasks of the ESP content pages: thin wrappers that call a selector or a service."""

from celery import shared_task


@shared_task
def refresh_career_field_counts():
    """Count the career fields' active members again before the cached counts expire (every few minutes)."""
    from esp.selectors.content import career_field_member_counts_refresh
    from members import clock

    career_field_member_counts_refresh(today=clock.today())  # the pages' today (views read the same clock)
