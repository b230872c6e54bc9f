"""A member's own record: profile changes, the PDF copy of the record, the roster export's audit."""

from django.db import transaction

from mae_portal.audit import audit_record, model_update
from mae_portal.models import StoredDocument
from members.models import (
    Member,
)


@transaction.atomic
def member_update_profile(*, member: Member, actor, data: dict, ip: str | None) -> Member:
    """Apply the cleaned fields of ProfileForm to the member and audit what changed."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    member, _ = model_update(instance=member, data=data, actor=actor, action="member.profile_updated", ip=ip,
                             update_fields_extra=("updated_at",))
    return member


@transaction.atomic
def member_record_pdf_request(*, member: Member, actor) -> StoredDocument:
    """Queue a PDF copy of the member's record (built by the core's document task, which emails the
    member when it is ready). While one is being prepared, asking again returns it."""
    from mae_portal.documents import document_request

    document, created = document_request(kind="member_record", subject=member, owner=member.user)
    if created:
        audit_record(actor=actor, action="member.record_pdf_requested", obj=member)
    return document


def roster_export_audit(*, actor, count: int, filters: dict, ip: str | None) -> None:
    audit_record(actor=actor, action="members.roster_exported", changes={"rows": count, "filters": filters}, ip=ip)
