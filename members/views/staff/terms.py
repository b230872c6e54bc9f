"""Staff actions on terms: create (join or renew), change category, cancel, reinstate."""

from django.contrib import messages
from django.shortcuts import render

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members import clock, dues
from members.forms.staff import (
    ConfirmForm,
    StaffJoinForm,
    TermCancelForm,
    TermCategoryForm,
)
from members.models import Payment
from members.selectors.terms import member_renewable_term, member_terms
from members.services import terms
from members.services.errors import MembershipError
from members.services.join import membership_join_by_staff
from members.services.quotes import membership_quote, suggest_category, term_category_change_quote
from members.views.staff.common import _back_to, _confirmed_action, _member, _posted, _term, membership_staff_required


def _join_choices(member, terms, day, policy=None):
    """What staff may create for the member today: a term for this membership year from today, unless one
    covers today; a renewal of the term the member may renew (the same rule as on the member's pages).
    `policy`: the renewal policy, if the page read it already."""
    choices = []
    renewable = member_renewable_term(member, today=day, terms=terms, policy=policy)
    if renewable is not None:
        next_year = renewable.membership_year + 1
        choices.append((f"renew:{renewable.pk}",
                        f"Renew {renewable.year_label}: the whole {dues.year_label(next_year)} year"))
    year_end = dues.membership_year_bounds(dues.membership_year_for(day))[1]
    if not any(t.cancelled_at is None and t.start <= year_end and t.end >= day for t in terms):
        choices.append(("join", f"Join from today ({day:%B %-d, %Y}) to August 31, {year_end.year}"))
    return choices


@membership_staff_required
def term_create(request, member_number):
    member = _member(request, member_number)
    day = clock.today()
    choices = _join_choices(member, member_terms(member, today=day), day)
    if not choices:
        messages.info(request, f"{member.display_name} has a membership covering today and nothing to renew yet.")
        return _back_to(member)
    form = StaffJoinForm(_posted(request), choices=choices,
                         initial={"category": suggest_category(member)})

    def renewal_of(form):
        which = form.cleaned_data["which"]
        return get_visible_or_404(member.terms, pk=int(which.split(":")[1])) if which != "join" else None

    def review(form):
        quote = membership_quote(category=form.cleaned_data["category"], today=day,
                                          renewal_of=renewal_of(form))
        method = dict(form.fields["method"].choices)[form.cleaned_data["method"]]
        lines = [("Membership", f"{quote.category}, {quote.start:%B %-d, %Y} to {quote.end:%B %-d, %Y}"),
                 ("Dues", f"${quote.amount} (local ${quote.shares.local}, state ${quote.shares.state}, "
                          f"national ${quote.shares.national})" + (" prorated" if quote.prorated else "")),
                 ("Payment", method + (f", check {form.cleaned_data['check_number']}"
                                       if form.cleaned_data["method"] == "check" else ""))]
        if member.plans.filter(status="active").exclude(kind="annual").exists():
            lines.append(("Note", "The member's bank-draft plan will be replaced by an annual plan."))
        return lines

    def act(form):
        data = form.cleaned_data
        payment = membership_join_by_staff(
            member=member, category=data["category"], renewal_of=renewal_of(form), method=data["method"],
            check_number=data["check_number"], note=data["note"], actor=request.user, ip=client_ip(request), today=day,
            form_token=data["token"],
        )
        messages.success(request, f"{payment.term.year_label} membership created"
                         + (" and paid." if payment.status == Payment.Status.SUCCEEDED else
                            "; it is pending until the member pays online."))
        return _back_to(member)

    return _confirmed_action(request, form, title=f"Create a membership for {member.display_name}",
                             context={"member": member}, review=review, act=act, submit_label="Create membership")


@membership_staff_required
def term_change_category(request, member_number, term_id):
    # Idempotent by state: the service does nothing when the term is in that category already.
    member = _member(request, member_number)
    term = _term(member, term_id)
    form = TermCategoryForm(_posted(request), term=term)

    def review(form):
        category = form.cleaned_data["category"]
        try:
            shares = term_category_change_quote(term=term, category=category)
        except MembershipError as error:
            return [("Problem", str(error))]
        return [("Membership", f"{term.year_label}, {term.start:%B %-d, %Y} to {term.end:%B %-d, %Y}"),
                ("Category", f"{term.category} → {category}"),
                ("Dues", f"${term.amount_due} → ${shares.total}")]

    def act(form):
        terms.term_change_category(term=term, category=form.cleaned_data["category"], actor=request.user, ip=client_ip(request))
        messages.success(request, f"{term.year_label} membership moved to {form.cleaned_data['category']}.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Change a membership's category", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Change category")


@membership_staff_required
def term_cancel(request, member_number, term_id):
    # Idempotent by state: cancelling a cancelled term changes nothing. The page is the confirmation.
    member = _member(request, member_number)
    term = _term(member, term_id)
    form = TermCancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            terms.term_cancel(term=term, reason=form.cleaned_data["reason"], actor=request.user, ip=client_ip(request))
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The {term.year_label} membership is cancelled; drafts not yet made are stopped.")
            return _back_to(member)
    return render(request, "members/staff/action.html", {
        "form": form, "member": member, "term": term, "direct": True, "danger": True,
        "title": f"Cancel the {term.year_label} membership", "submit_label": "Cancel membership",
        "intro": "Scheduled bank drafts of this membership are stopped. Payments already made stay; refund them separately.",
    })


@membership_staff_required
def term_reinstate(request, member_number, term_id):
    member = _member(request, member_number)
    term = _term(member, term_id)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            terms.term_reinstate(term=term, actor=request.user, ip=client_ip(request))
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The {term.year_label} membership is reinstated.")
            return _back_to(member)
    return render(request, "members/staff/action.html", {
        "form": form, "member": member, "term": term, "direct": True,
        "title": f"Reinstate the {term.year_label} membership", "submit_label": "Reinstate membership",
        "intro": "Drafts stopped when it was cancelled are not restarted; record payments or adjust as needed.",
    })
