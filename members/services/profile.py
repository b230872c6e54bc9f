"""A member's own record: profile changes, the PDF copy of the record, the roster export's audit."""

from django.db import IntegrityError, transaction

from mae_portal.audit import audit_record, model_update
from mae_portal.emails import send_email
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


def member_record_pdf_request(*, member: Member, actor) -> StoredDocument:
    """Queue a PDF copy of the member's record. While one is being prepared, asking again returns
    it (a partial unique constraint makes a double submit create one document)."""
    from members.tasks import build_member_record_pdf

    try:
        with transaction.atomic():
            document = StoredDocument.objects.create(
                owner=member.user,
                kind=StoredDocument.Kind.MEMBER_RECORD,
                title="Copy of my member record",
                download_name=f"mae-member-record-{member.member_number}.pdf",
            )
            audit_record(actor=actor, action="member.record_pdf_requested", obj=member)
            transaction.on_commit(lambda: build_member_record_pdf.delay(str(document.pk)))
    except IntegrityError:
        document = StoredDocument.objects.get(
            owner=member.user, kind=StoredDocument.Kind.MEMBER_RECORD, status=StoredDocument.Status.PENDING
        )
    return document


def member_record_pdf_build(*, document_id) -> StoredDocument:
    """Render the member-record PDF for a pending document. Running it twice renders once."""
    from mae_portal.pdf import store_pdf

    with transaction.atomic():
        document = StoredDocument.objects.select_for_update(of=("self",)).select_related("owner__member").get(pk=document_id)
        if document.status != StoredDocument.Status.PENDING:
            return document
        member = Member.objects.select_related(
            "employer_district__region", "worksite", "career_field", "local"
        ).get(pk=document.owner.member.pk)
        store_pdf(document, "members/pdf/member_record.html", {"member": member, "document": document})
        send_email(
            "document-ready",
            to=document.owner.email,
            context={"name": member.display_name, "document": document},
            idempotency_key=f"document-ready:{document.pk}",
        )
    return document


def roster_export_audit(*, actor, count: int, filters: dict, ip: str | None) -> None:
    audit_record(actor=actor, action="members.roster_exported", changes={"rows": count, "filters": filters}, ip=ip)
