"""A director's private calendar feed address: made on request, revoked by deleting it."""

from django.db import transaction

from advocacy.models import CalendarFeedToken
from mae_portal.audit import audit_record


@transaction.atomic
def calendar_feed_create(*, user, ip=None) -> CalendarFeedToken:
    """The user's feed address, made if they have none (a second request returns the same one)."""
    token, created = CalendarFeedToken.objects.get_or_create(user=user)
    if created:
        audit_record(actor=user, action="advocacy.calendar_feed_created", obj=token, subject=user, ip=ip)
    return token


@transaction.atomic
def calendar_feed_revoke(*, user, ip=None) -> bool:
    """Revoke the user's feed address: it answers 404 from now on. True if there was one."""
    token = CalendarFeedToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        return False
    audit_record(actor=user, action="advocacy.calendar_feed_revoked", obj=token, subject=user, ip=ip)
    token.delete()
    return True
