"""A member's record for staff, and staff notes on it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render

from mae_portal.audit import client_ip
from members import clock
from members.forms.staff import (
    MemberNoteForm,
)
from members.rules import members_visible_to
from members.selectors.payments import attach_refund_amounts, attach_terms
from members.selectors.record import member_record
from members.selectors.search import MEMBER_STATUSES, membership_status
from members.selectors.terms import terms_money_from_payments
from members.services import notes
from members.services.errors import MembershipError
from members.views.staff.common import _back_to, _member, _posted, membership_staff_required
from members.views.staff.record_rows import payment_rows, term_rows, trail_rows
from members.views.staff.terms import _join_choices


@membership_staff_required
def member_detail(request, member_number):
    record = member_record(member_number)
    if record is None or not _may_see(request.user, record.member):
        raise Http404("No member matches the given query.")
    member, payments = record.member, attach_refund_amounts(record.payments)
    day = clock.today()
    policy = record.policy  # read once: terms, status and the renewal choice all need it
    terms = terms_money_from_payments(record.terms, payments, today=day, grace_days=policy.grace_period_days)
    attach_terms(payments, terms)
    return render(request, "members/staff/member.html", {
        "member": member, "terms": terms, "payments": payments, "plans": record.plans, "notes": record.notes,
        "trail": record.trail, "documents": record.documents, "term_rows": term_rows(member, terms),
        "payment_rows": payment_rows(member, payments), "trail_rows": trail_rows(record.trail),
        "attention": [p for p in payments if p.attention], "mismatched_events": record.mismatched_events,
        "status": dict(MEMBER_STATUSES)[membership_status(terms, today=day, grace_days=policy.grace_period_days)],
        "note_form": MemberNoteForm(),
        "can_create_term": bool(_join_choices(member, terms, day, policy)),
    })


def _may_see(user, member) -> bool:
    """members_visible_to's rule, as _member applies it: staff see everyone (no filter, no query)."""
    scope = members_visible_to(user)
    return not scope.query.where or scope.filter(pk=member.pk).exists()


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
