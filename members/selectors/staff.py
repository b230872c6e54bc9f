"""What the staff pages read about a member: the list, documents, notes and the audit trail."""

from django.db.models import Prefetch

from mae_portal.models import StoredDocument
from members.models import Member, MembershipTerm


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
