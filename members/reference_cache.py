"""What the join form's reference data (districts, career fields) looked like last: a version in the shared
cache that moves on after every committed change to those rows, so markup built from them (the join form's
fields, members.views.member.join) is built afresh on the next visit.

Saves and deletes through the ORM (services, the admin, the reference loaders' management commands) move it
from the signals below; `REFERENCE_SECONDS` bounds how long a change made around the ORM goes unseen."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "members:reference-version"
REFERENCE_SECONDS = 600


def scoped_key(key: str) -> str:
    """The key for this database: two databases sharing one Redis (tests and a benchmark, say) never read each
    other's reference markup."""
    return f"{key}:{settings.DATABASES['default']['NAME']}"


def reference_changed(**_kwargs) -> None:
    """Inside or outside a transaction: the version moves once the change is committed."""
    transaction.on_commit(lambda: cache.set(scoped_key(VERSION_KEY), time.time_ns(), None))


def connect() -> None:
    from members.models import CareerField, District

    for model in (District, CareerField):
        post_save.connect(reference_changed, sender=model, dispatch_uid=f"reference-changed-save-{model.__name__}")
        post_delete.connect(reference_changed, sender=model, dispatch_uid=f"reference-changed-delete-{model.__name__}")


def cached_markup(key: str, *, day, build):
    """The markup kept under `key` for this reference version and `day`, else `build()` kept for next time (a
    string, or a tuple of them). One round trip to the cache when it is there."""
    version_key, key = scoped_key(VERSION_KEY), scoped_key(key)
    kept = cache.get_many([version_key, key])
    version = kept.get(version_key, 0)
    entry = kept.get(key)
    if entry is not None and entry[0] == version and entry[1] == day.isoformat():
        return entry[2]
    markup = build()
    if not transaction.get_connection().in_atomic_block:  # it may show this transaction's rows, not yet committed
        cache.set(key, (version, day.isoformat(), markup), REFERENCE_SECONDS)
    return markup
