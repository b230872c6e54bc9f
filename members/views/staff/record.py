"""A member's record for staff, and staff notes on it."""

from django.contrib import messages
from django.shortcuts import render

from mae_portal.audit import audit_trail_for, client_ip
from members import clock
from members.forms.staff import (
    MemberNoteForm,
)
from members.models import RenewalPolicy
from members.selectors.payments import (
    attach_terms,
    member_mismatched_events,
    member_payments_for_staff,
    member_plans_for_staff,
)
from members.selectors.search import MEMBER_STATUSES, membership_status
from members.selectors.staff import member_documents_for_staff, member_notes
from members.selectors.terms import member_terms_from_payments
from members.services import notes
from members.services.errors import MembershipError
from members.views.staff.common import _back_to, _member, _posted, membership_staff_required
from members.views.staff.terms import _join_choices


@membership_staff_required
def member_detail(request, member_number):
    member = _member(request, member_number)
    day = clock.today()
    policy = RenewalPolicy.current()  # read once: terms, status and the renewal choice all need it
    payments = member_payments_for_staff(member, joined=False)
    terms = member_terms_from_payments(member, payments, today=day, policy=policy)
    attach_terms(payments, terms)
    grace = policy.grace_period_days
    plans = list(member_plans_for_staff(member))
    notes = list(member_notes(member))
    trail = list(audit_trail_for(member))
    return render(request, "members/staff/member.html", {
        "member": member, "terms": terms, "payments": payments, "plans": plans, "notes": notes, "trail": trail,
        "documents": list(member_documents_for_staff(member)),
        "attention": [p for p in payments if p.attention], "mismatched_events": list(member_mismatched_events(member, payments=payments)),
        "status": dict(MEMBER_STATUSES)[membership_status(terms, today=day, grace_days=grace)],
        "note_form": MemberNoteForm(),
        "can_create_term": bool(_join_choices(member, terms, day, policy)),
    })


@membership_staff_required
def member_note_add(request, member_number):
    member = _member(request, member_number)
    form = MemberNoteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            notes.member_note_add(member=member, text=form.cleaned_data["text"], actor=request.user, ip=client_ip(request),
                                     form_token=form.cleaned_data["token"])
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Note added.")
            return _back_to(member)
    return render(request, "members/staff/action.html", {
        "form": form, "member": member, "title": f"Add a note to {member.display_name}'s record",
        "submit_label": "Add note", "direct": True,
    })
