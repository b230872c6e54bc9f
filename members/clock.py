"""The portal's today, in one place so that tests can walk through a membership year by replacing it."""

from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in the portal's time zone (America/Chicago)."""
    return timezone.localdate()
