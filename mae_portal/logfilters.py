"""Logging filters for the portal's console."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Drops the traceback Django's `django.request` logger attaches to a 4xx warning (a PermissionDenied
    or Http404 raised on purpose): the line stays, the stack that says nothing is gone. 5xx keep theirs."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if record.name == "django.request" and status is not None and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
