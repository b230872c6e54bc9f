"""What the staff pages read about a member: the list, documents, notes and the audit trail."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q

from mae_portal.models import AuditLog, StoredDocument
from members.models import Member, MemberNote, MembershipTerm, Payment, PaymentPlan


def members_for_staff():
    return Member.objects.select_related("local", "employer_district__region", "career_field", "user").prefetch_related(
        Prefetch("terms", queryset=MembershipTerm.objects.select_related("category").order_by("-membership_year"))
    )


def member_documents_for_staff(member: Member):
    if member.user_id is None:
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(owner_id=member.user_id).order_by("-created_at")


def member_notes(member: Member):
    return member.notes.select_related("author").order_by("-created_at")


def member_audit_trail(member: Member, *, terms, payments, plans, notes=(), limit: int = 100):
    """Audit rows about the member, its terms, payments, plans and notes, newest first. The ids come from
    rows the page has loaded already, so the query is an OR of lookups on the (content type, object) index."""
    types = ContentType.objects.get_for_models(Member, MembershipTerm, Payment, PaymentPlan, MemberNote)
    about = Q(content_type=types[Member], object_id=str(member.pk))
    for model, rows in ((MembershipTerm, terms), (Payment, payments), (PaymentPlan, plans), (MemberNote, notes)):
        ids = [str(row.pk) for row in rows]
        if ids:
            about |= Q(content_type=types[model], object_id__in=ids)
    return AuditLog.objects.filter(about).select_related("actor", "content_type").order_by("-created_at", "-id")[:limit]
