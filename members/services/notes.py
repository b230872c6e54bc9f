"""Staff notes on a member's record."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from mae_portal.audit import audit_record
from mae_portal.models import AuditLog
from members.models import (
    Member,
    MemberNote,
)
from members.services.errors import MembershipError


@transaction.atomic
def member_note_add(*, member: Member, text: str, actor, form_token: str, ip: str | None = None) -> MemberNote:
    """Add a staff note to a member's record, audited. The same form_token (one per form shown) adds
    one note however often the form is sent: it is kept in the audit row and looked for first."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    text = text.strip()
    if not text:
        raise MembershipError("Write the note.")
    done = (AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk),
                                    action="member.note_added", changes__form_token=form_token)
            .values_list("changes", flat=True).first())
    if done:
        return MemberNote.objects.get(pk=done["note"])
    note = MemberNote.objects.create(member=member, author=actor, text=text)
    audit_record(actor=actor, ip=ip, action="member.note_added", obj=member,
                 changes={"note": note.pk, "length": len(text), "form_token": form_token})
    return note
