"""The member's plan: switching drafts, stopping them (and starting them again), automatic renewal, the account
drafts come from."""

import uuid
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members import clock
from members.forms.join import PlanChangeForm
from members.models import Payment, PaymentPlan
from members.selectors.dashboard import annual_balance, drafts_stopped
from members.selectors.payments import next_draft, terms_visible_to_member
from members.selectors.terms import term_money
from members.services import plans
from members.services.authorization import authorization_for
from members.services.errors import MembershipError
from members.services.plans import plan_cancel_drafts, plan_change_payment_sent, plan_payment_method_update_start
from members.views.member.common import (
    DRAFT_KINDS,
    _active_plan,
    _checkout,
    _describe_plan,
    _draft_request,
    _member,
    _pay_schedule_label,
    _preview,
    _signature,
    _signed_form,
)


class _PlanGone(Exception):
    pass


def _plan_or_404(request, *, installment: bool | None = None):
    """The member's active plan (of the kind the page is for). A page asked for without one answers 404;
    a form sent again after it ended the plan (a double click) gets the dashboard with a message."""
    member = _member(request.user)
    plan = _active_plan(member)
    if plan is None or (installment is not None and plan.is_installment != installment):
        if request.method == "POST" and member is not None and member.plans.exists():
            raise _PlanGone
        raise Http404
    return member, plan


def _plan_page(view):
    """Plan pages: a form sent after its plan is gone (already stopped, already changed) lands on the dashboard."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _PlanGone:
            messages.info(request, "Your plan has changed already; here it is as it is now.")
            return redirect("dashboard")

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


@login_required
@_plan_page
def plan_change(request):
    """Switch between monthly and per-payday drafts (or from a yearly card payment to drafts)."""
    member, plan = _plan_or_404(request)
    day = clock.today()
    balance_term, balance = (None, None) if plan.is_installment else annual_balance(member, plan, day)
    form = PlanChangeForm(request.POST or None, initial={
        "plan_kind": plan.kind if plan.is_installment else PaymentPlan.Kind.MONTHLY,
        "draft_day": plan.draft_day,
    })
    if request.method == "POST" and form.is_valid():
        kind, draft_day = form.cleaned_data["plan_kind"], form.cleaned_data["draft_day"]
        if not plan.is_installment:
            query = urlencode({"plan": kind, "draft_day": draft_day})
            return redirect(f"{reverse('members:plan_change_authorize')}?{query}")
        try:
            plans.plan_change(member=member, plan_kind=kind, draft_day=draft_day, actor=request.user, ip=client_ip(request), today=day,
                                 form_token=form.cleaned_data["token"])
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        new_plan = _active_plan(member)
        draft = next_draft(member)
        when = f" Your next draft is {draft.due_on:%B %-d, %Y}: ${draft.amount}." if draft else ""
        messages.success(request, f"Your plan is now: {_describe_plan(new_plan, member).lower()}.{when}")
        return redirect("dashboard")
    return render(request, "members/membership/plan_change.html", {
        "form": form, "plan": plan, "member": member, "plan_label": _describe_plan(plan, member),
        "balance_term": balance_term, "balance": balance, "pay_schedule": _pay_schedule_label(member),
    })


@login_required
@_plan_page
def plan_change_authorize(request):
    """From a yearly card payment to drafts: sign the authorization for the balance left this year."""
    resent = _resent_signature(request)
    if resent is not None:
        return resent
    member, plan = _plan_or_404(request, installment=False)
    day = clock.today()
    term, balance = annual_balance(member, plan, day)
    kind = request.GET.get("plan", "")
    try:
        draft_day = int(request.GET.get("draft_day", "1"))
    except ValueError:
        draft_day = 0
    if term is None or balance <= 0 or kind not in DRAFT_KINDS or not 1 <= draft_day <= 28:
        messages.error(request, "There is nothing to draft this year. You can choose bank drafts when you renew.")
        return redirect("members:plan_change")

    def sign(signature, token):
        return plans.plan_change(member=member, plan_kind=kind, draft_day=draft_day, actor=request.user,
                                 ip=client_ip(request), today=day, authorization=signature, form_token=token)

    return _balance_authorization(request, member=member, term=term, balance=balance, kind=kind, draft_day=draft_day,
                                  day=day, back_url=reverse("members:plan_change"), sign=sign)


@login_required
@_plan_page
def plan_choose(request, term_id):
    """After the member stopped their drafts: bank drafts again for the balance left, or that balance by card."""
    member, term, money = _stopped_term(request, term_id)
    if money is None:
        return redirect("dashboard")
    other_plan = _active_plan(member)
    drafts = term.category.allows_installments and other_plan is None
    form = PlanChangeForm(request.POST or None, initial={
        "plan_kind": term.plan.kind if term.plan.is_installment else PaymentPlan.Kind.MONTHLY,
        "draft_day": term.plan.draft_day,
    })
    if request.method == "POST" and drafts and form.is_valid():
        query = urlencode({"plan": form.cleaned_data["plan_kind"], "draft_day": form.cleaned_data["draft_day"]})
        return redirect(f"{reverse('members:plan_choose_authorize', args=[term.pk])}?{query}")
    return render(request, "members/membership/plan_choose.html", {
        "form": form, "term": term, "money": money, "drafts": drafts, "other_plan": other_plan,
        "other_plan_label": _describe_plan(other_plan, member) if other_plan else "",
        "pay_schedule": _pay_schedule_label(member), "card_token": uuid.uuid4(),
    })


@login_required
@_plan_page
def plan_choose_authorize(request, term_id):
    """After the member stopped their drafts: sign a new authorization for drafts of the balance left."""
    resent = _resent_signature(request)
    if resent is not None:
        return resent
    member, term, money = _stopped_term(request, term_id)
    if money is None:
        return redirect("dashboard")
    choice = _draft_request(request, term.category)
    if _active_plan(member) is not None:
        messages.error(request, "You pay by another plan already, so no second one can start.")
        return redirect("members:plan_choose", term.pk)
    if choice is None:
        messages.error(request, "Choose monthly drafts or drafts on each payday, below.")
        return redirect("members:plan_choose", term.pk)
    kind, draft_day = choice
    day = clock.today()

    def sign(signature, token):
        return plans.plan_drafts_restart(member=member, term=term, plan_kind=kind, draft_day=draft_day,
                                         authorization=signature, actor=request.user, ip=client_ip(request),
                                         today=day, form_token=token)

    return _balance_authorization(request, member=member, term=term, balance=money.balance, kind=kind,
                                  draft_day=draft_day, day=day, back_url=reverse("members:plan_choose", args=[term.pk]),
                                  sign=sign)


def _resent_signature(request):
    """The same signed authorization sent again (a double click, the back button): the checkout of its draft."""
    member = _member(request.user)
    token = request.POST.get("token", "") if request.method == "POST" else ""
    sent = plan_change_payment_sent(member=member, form_token=token) if member is not None and token else None
    return _checkout(request, sent) if sent is not None else None


def _stopped_term(request, term_id):
    """(member, term, money) for the member's term whose drafts were stopped. Another's term, or one a running
    plan pays, answers 404 (a form sent again after drafts started again gets the dashboard). A term cancelled,
    over, paid in full or being paid gets a message and money None: the caller goes back to the dashboard."""
    member = _member(request.user)
    term = get_visible_or_404(terms_visible_to_member(request.user).select_related("plan", "category"), pk=term_id)
    if term.cancelled_at is not None:
        messages.error(request, "This membership was cancelled: there is nothing to pay for it.")
        return member, term, None
    if not drafts_stopped(term) or term.payments.filter(status=Payment.Status.SCHEDULED).exists():
        if request.method == "POST":
            raise _PlanGone
        raise Http404
    money = term_money(term)
    refusal = ""
    if term.end < clock.today():
        refusal = f"Your {term.year_label} membership is over: there is nothing left to pay for it here."
    elif money.balance <= 0:
        refusal = f"Your {term.year_label} dues are paid in full: there is nothing more to pay."
    elif money.pending:
        refusal = f"A payment of ${money.pending} for {term.year_label} is being processed already."
    if refusal:
        messages.error(request, refusal)
        return member, term, None
    return member, term, money


def _balance_authorization(request, *, member, term, balance, kind, draft_day, day, back_url, sign):
    """The authorization page for drafts of the balance left of `term`; once signed, `sign(signature, token)`
    makes the drafts (a service) and the first goes to checkout."""
    schedule = _preview(member, kind=kind, draft_day=draft_day, start=term.start, end=term.end, amount=balance, day=day)
    authorization = authorization_for(
        member=member, category=term.category, year_label=term.year_label, start=term.start, end=term.end,
        total=balance, shares=None, kind=kind, draft_day=draft_day, schedule=schedule, day=day, balance_only=True,
    )
    form, valid = _signed_form(request, member, authorization)
    if valid:
        try:
            payment = sign(_signature(request, form, authorization.text), form.cleaned_data["token"])
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        return _checkout(request, payment)
    return render(request, "members/membership/authorize.html", {
        "form": form, "authorization": authorization, "member": member, "kind": kind, "balance": balance,
        "term": term, "plan_change": True, "back_url": back_url,
    })


@login_required
@_plan_page
def plan_cancel_auto_renew(request):
    member, plan = _plan_or_404(request, installment=True)
    if not plan.auto_renew:
        messages.info(request, "Automatic renewal is already off.")
        return redirect("dashboard")
    if request.method == "POST":
        plans.plan_cancel_auto_renew(plan=plan, actor=request.user, ip=client_ip(request))
        messages.success(request, "Automatic renewal is off. This year's drafts still run; renew yourself next summer.")
        return redirect("dashboard")
    return render(request, "members/membership/confirm.html", {
        "title": "Cancel automatic renewal?", "plan": plan, "action": "auto_renew",
        "button": "Cancel automatic renewal",
    })


@login_required
@_plan_page
def plan_stop_drafts(request):
    member, plan = _plan_or_404(request, installment=True)
    if request.method == "POST":
        plan_cancel_drafts(plan=plan, actor=request.user, ip=client_ip(request))
        messages.success(request, "Your bank drafts are stopped and your authorization is revoked. "
                                  "Pay what is left for this year by card below, or choose another plan.")
        return redirect("dashboard")
    remaining = list(Payment.objects.filter(term__plan=plan, status=Payment.Status.SCHEDULED).order_by("due_on"))
    return render(request, "members/membership/confirm.html", {
        "title": "Stop your bank drafts?", "plan": plan, "action": "drafts", "button": "Stop my bank drafts",
        "remaining": remaining, "remaining_total": sum((p.amount for p in remaining), Decimal("0")),
    })


@login_required
@_plan_page
def plan_payment_method(request):
    """Change the bank account drafts come from: the next draft is paid now from the new account."""
    member, plan = _plan_or_404(request, installment=True)
    if request.method == "POST":
        try:
            payment = plan_payment_method_update_start(member=member, actor=request.user, ip=client_ip(request), today=clock.today())
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        return _checkout(request, payment)
    return render(request, "members/membership/payment_method.html",
                  {"plan": plan, "member": member, "draft": next_draft(member)})
