"""Every audit action membership records, with the label the audit pages show, and the subject of
entries about membership rows: a term, payment, plan, authorization or note belongs to its member's
trail. Registered from MembersConfig.ready()."""

from mae_portal.audit import register_audit_actions, register_audit_subject, register_audit_subject_link

ACTIONS = {
    # The member's own record
    "member.profile_updated": "Profile updated",
    "member.record_pdf_requested": "Copy of the record requested",
    "member.created_for_join": "Member record created when joining",
    "member.updated_for_join": "Member record updated when joining",
    "member.note_added": "Staff note added",
    "members.roster_exported": "Roster exported",
    # Memberships (terms)
    "membership.joined": "Joined",
    "membership.renewal_started": "Renewal started",
    "term.category_changed": "Membership category changed",
    "term.cancelled": "Membership cancelled",
    "term.reinstated": "Membership reinstated",
    # Payments
    "payment.succeeded": "Payment succeeded",
    "payment.failed": "Payment failed",
    "payment.recorded": "Check or cash payment recorded",
    "payment.refunded": "Payment refunded",
    "payment.adjusted": "Credit or charge applied",
    "payment.draft_submitted": "Bank draft submitted",
    "payment.cancelled": "Payment cancelled (never attempted)",
    "payment.needs_attention": "Payment flagged for staff",
    "payment.attention_resolved": "Flagged payment dealt with",
    "payment.reconciled": "Unanswered draft asked again of the gateway",
    # Payment plans
    "plan.changed": "Payment plan changed",
    "plan.auto_renew_cancelled": "Automatic renewal cancelled",
    "plan.drafts_cancelled": "Bank drafts stopped",
    "plan.drafts_restarted": "Bank drafts started again after they were stopped",
    "plan.payment_method_update_started": "Payment method update started",
    "plan.payment_method_update_abandoned": "Payment method update abandoned",
    # Catalog and policy
    "category.created": "Membership category created",
    "category.updated": "Membership category updated",
    "dues_rate.added": "Dues rate added",
    "renewal_policy.updated": "Renewal policy updated",
    "notice_rule.added": "Renewal notice added",
    "notice_rule.updated": "Renewal notice switched on or off",
}


def register():
    from members.models import DraftAuthorization, Member, MemberNote, MembershipTerm, Payment, PaymentPlan

    register_audit_actions(ACTIONS)
    for model in (MembershipTerm, Payment, PaymentPlan, DraftAuthorization, MemberNote):
        register_audit_subject(model, _its_member)
    register_audit_subject_link(Member, _member_record_link)


def _its_member(row):
    return row.member


def _member_record_link(member, user):
    """The staff record, for those who may open it (membership staff and admins)."""
    from django.urls import reverse

    from mae_portal.permissions import is_membership_staff

    if not is_membership_staff(user):
        return None
    return reverse("members:staff_member_detail", args=[member.member_number])
