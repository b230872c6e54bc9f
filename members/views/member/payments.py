"""The member's payments: the return page after checkout, paying again, back to checkout."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members import clock
from members.forms.tokens import TokenForm
from members.models import Payment
from members.selectors.payments import next_draft, terms_visible_to_member
from members.selectors.terms import member_terms
from members.services import payments
from members.services.errors import MembershipError
from members.services.plans import plan_payment_method_update_abandon
from members.views.member.common import _checkout, _own_payment


def _payment_context(request, payment: Payment) -> dict:
    day = clock.today()
    term = next((t for t in member_terms(payment.member, today=day) if t.pk == payment.term_id), None)
    same_due = [p for p in payment.term.payments.all() if p.due_on == payment.due_on and p.pk != payment.pk]
    settled_by = next((p for p in same_due if p.status == Payment.Status.SUCCEEDED), None)
    retrying = next((p for p in same_due if p.status == Payment.Status.PENDING), None)
    early_draft = (payment.status == Payment.Status.PENDING and payment.method == Payment.Method.BANK_DRAFT
                   and payment.installment_number is not None and payment.due_on is not None and payment.due_on > day)
    return {
        "payment": payment, "term": term, "settled_by": settled_by, "retrying": retrying,
        "cancelled": request.GET.get("cancelled") == "1", "retry_form": TokenForm(),
        "early_draft": early_draft, "next_draft": next_draft(payment.member),
    }


@login_required
def payment_return(request, pk):
    """Where the checkout sends the member back: paid, declined (try again) or pending (we wait)."""
    payment = _own_payment(request, pk)
    return render(request, "members/membership/payment_return.html", _payment_context(request, payment))


@login_required
def payment_status(request, pk):
    """The return page's status panel; htmx reloads it every 3 seconds while the payment is pending."""
    payment = _own_payment(request, pk)
    return render(request, "members/membership/_payment_status.html", _payment_context(request, payment))


@require_POST
@login_required
def payment_retry(request, pk):
    """Try again after a decline, or pay a failed draft now: a new card payment, then checkout."""
    payment = _own_payment(request, pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Something went wrong with that button. Please press it again.")
        return redirect("members:payment_return", payment.pk)
    try:
        retry = payments.payment_retry(payment=payment,
                                       form_token=form.cleaned_data["token"])
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("members:payment_return", payment.pk)
    return _checkout(request, retry)


@require_POST
@login_required
def term_pay_remaining(request, term_id):
    """"Pay the remaining": one card payment of what is left of a year no draft pays any more, then checkout."""
    term = get_visible_or_404(terms_visible_to_member(request.user).select_related("member", "plan"), pk=term_id)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Something went wrong with that button. Please press it again.")
        return redirect("dashboard")
    try:
        payment = payments.payment_balance_start(term=term, form_token=form.cleaned_data["token"])
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard")
    return _checkout(request, payment)


@require_POST
@login_required
def payment_checkout(request, pk):
    """Back to the checkout for a payment still waiting to be paid."""
    return _checkout(request, _own_payment(request, pk))


@require_POST
@login_required
def payment_keep_account(request, pk):
    """Leaving the change of bank account: the early draft goes back on schedule."""
    payment = _own_payment(request, pk)
    plan_payment_method_update_abandon(member=payment.member, payment=payment, actor=request.user, ip=client_ip(request), today=clock.today())
    messages.success(request, "Nothing changed: your drafts still come from the account you had.")
    return redirect("dashboard")
