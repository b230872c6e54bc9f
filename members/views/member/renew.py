"""Renewing for next year."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from members import clock, dues
from members.forms.join import RenewForm
from members.models import MembershipCategory, PaymentPlan, RenewalPolicy
from members.selectors.terms import current_term, member_renewable_term, member_terms
from members.services.errors import MembershipError
from members.services.quotes import membership_quote, suggest_category
from members.views.member.common import (
    TermStatus,
    _active_plan,
    _category_or_none,
    _member,
    _options,
    _resubmitted,
)
from members.views.member.join import _join_and_checkout, _plan_previews


@login_required
def renew(request):
    """One page: the same category (or another) and plan for next year, then checkout."""
    member = _member(request.user)
    if member is None:
        return redirect("members:join")
    if again := _resubmitted(request, member):
        return again
    day = clock.today()
    terms = member_terms(member, today=day)
    term = member_renewable_term(member, today=day, terms=terms)
    if term is None:
        current = current_term(terms, day)
        if current is None:
            return redirect("members:join")
        policy = RenewalPolicy.current()
        return render(request, "members/membership/renew_closed.html", {
            "term": current, "opens": dues.renewal_window_opens(current.end, policy.renewal_window_days),
            "renewed": next((t for t in terms if t.continues_id == current.pk and t.status != TermStatus.CANCELLED), None),
        })
    plan = _active_plan(member)
    category = term.category if term.category.is_active else suggest_category(member)
    form = RenewForm(request.POST or None, initial={
        "category": category.code if category else None,
        "plan_kind": plan.kind if plan else PaymentPlan.Kind.ANNUAL, "draft_day": plan.draft_day if plan else 1,
    })
    if request.method == "POST" and form.is_valid():
        category, kind = form.cleaned_data["category"], form.cleaned_data["plan_kind"]
        draft_day = form.cleaned_data["draft_day"]
        if kind != PaymentPlan.Kind.ANNUAL and (plan is None or plan.kind != kind):
            query = urlencode({"category": category.code, "plan": kind, "draft_day": draft_day})
            return redirect(f"{reverse('members:renew_authorize')}?{query}")
        return _join_and_checkout(request, member=member, category=category, plan_kind=kind, draft_day=draft_day,
                                  authorization=None, token=form.cleaned_data["token"], renewal_of=term)
    year = term.membership_year + 1
    start, end = dues.membership_year_bounds(year)
    quotes = {}
    for option in MembershipCategory.objects.filter(is_active=True):
        try:
            quotes[option.pk] = membership_quote(category=option, today=day, renewal_of=term)
        except MembershipError:
            continue
    selected = _category_or_none(form["category"].value()) or category
    quote = quotes.get(selected.pk) if selected else None
    return render(request, "members/membership/renew.html", {
        "form": form, "term": term, "plan": plan, "year_label": dues.year_label(year), "start": start, "end": end,
        "options": _options(form["category"], {pk: q.amount for pk, q in quotes.items()}), "quote": quote,
        "member": member, **(_plan_previews(member, quote, form, day) if quote else {}),
    })
