"""Pages kept for signed-out visitors (the home page, mae_portal.views.home) are kept per process for a
minute. An app whose public content changes (a story published, a cycle opened) calls
`public_pages_changed()` after its commit: the version in the shared cache moves on, and every process
renders its page afresh on the next visit."""

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "mae:public-pages-version"


def public_pages_version() -> int:
    return cache.get(VERSION_KEY, 0)


def public_pages_changed() -> None:
    """Call inside or outside a transaction: the version moves once the change is committed."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, time.time_ns(), None))
