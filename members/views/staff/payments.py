"""Staff actions on payments: record a check or cash, refund, adjust; payments that need attention."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_safe

from mae_portal.audit import client_ip
from members.forms.staff import (
    AdjustmentForm,
    AttentionResolveForm,
    PaymentRecordForm,
    RefundForm,
)
from members.selectors.payments import member_payments_for_staff, payments_needing_attention
from members.selectors.terms import term_money
from members.services import payments
from members.views.staff.common import (
    _back_to,
    _confirmed_action,
    _member,
    _payment,
    _posted,
    _term,
    membership_staff_required,
)


def _sent(request, action, term):
    """The payment this confirmed form made already (sent twice): its confirmation again."""
    if request.method != "POST" or "confirm" not in request.POST:
        return None
    sent = payments.staff_payment_sent(action=action, form_token=request.POST.get("token"))
    return sent if sent is not None and sent.term_id == term.pk else None


@membership_staff_required
def payment_record(request, member_number, term_id):
    member = _member(request, member_number)
    term = _term(member, term_id)
    # The balance is read before looking for the form's payment: the same form sent at once by two staff finds the
    # other's payment, or checks against the balance from before it (and the service returns the other's payment).
    money = term_money(term)
    sent = _sent(request, "payment", term)
    if sent:
        messages.success(request, f"${sent.amount} recorded for {term.year_label}.")
        return _back_to(member)
    form = PaymentRecordForm(_posted(request), member=member, money=money)

    def review(form):
        data = form.cleaned_data
        rows = [("Membership", f"{term.category} {term.year_label}"), ("Left to pay", f"${money.balance}"),
                ("Amount", f"${data['amount']}"
                 + (f": an overpayment of ${data['amount'] - money.balance}" if data["amount"] > money.balance else "")),
                ("Paid by", dict(form.fields["method"].choices)[data["method"]]
                 + (f", check {data['check_number']}" if data["method"] == "check" else ""))]
        if data["method"] == "check" and data["different_check"]:
            rows.append(("Check number", "Recorded before for this member: you said this is a different check"))
        return rows

    def act(form):
        data = form.cleaned_data
        payments.payment_record(term=term, amount=data["amount"], method=data["method"],
                                check_number=data["check_number"], note=data["note"], actor=request.user, ip=client_ip(request),
                                different_check=data["different_check"], overpayment=data["overpayment"],
                                form_token=data["token"])
        messages.success(request, f"${data['amount']} recorded for {term.year_label}.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Record a check or cash payment", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Record payment")


@membership_staff_required
def payment_refund(request, member_number, payment_id):
    member = _member(request, member_number)
    payment = _payment(member, payment_id)
    sent = _sent(request, "refund", payment.term)
    if sent:
        messages.success(request, f"Refund of ${-sent.amount} recorded.")
        return _back_to(member)
    refundable = next(p.refundable for p in member_payments_for_staff(member) if p.pk == payment.pk)
    if refundable <= 0:
        messages.error(request, "This payment has nothing left to refund.")
        return _back_to(member)
    form = RefundForm(_posted(request), refundable=refundable)

    def review(form):
        return [("Payment", f"${payment.amount} {payment.get_method_display()} for {payment.term.year_label}"),
                ("Refund", f"${form.cleaned_data['amount']}"), ("Reason", form.cleaned_data["reason"])]

    def act(form):
        data = form.cleaned_data
        payments.payment_refund(payment=payment, amount=data["amount"], reason=data["reason"], actor=request.user, ip=client_ip(request),
                                form_token=data["token"])
        messages.success(request, f"Refund of ${data['amount']} recorded.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Refund a payment",
                             context={"member": member, "term": payment.term, "payment": payment},
                             review=review, act=act, submit_label="Record refund", danger=True)


@membership_staff_required
def payment_adjust(request, member_number, term_id):
    member = _member(request, member_number)
    term = _term(member, term_id)
    money = term_money(term)  # read before looking for the form's payment: see payment_record
    sent = _sent(request, "adjust", term)
    if sent:
        messages.success(request, f"{'Credit' if sent.amount > 0 else 'Charge'} of ${abs(sent.amount)} recorded.")
        return _back_to(member)
    form = AdjustmentForm(_posted(request), money=money)

    def review(form):
        data = form.cleaned_data
        above = data["kind"] == "credit" and data["amount"] > money.balance
        return [("Membership", f"{term.category} {term.year_label}"), ("Left to pay", f"${money.balance}"),
                ("Adjustment", f"{data['kind'].capitalize()} of ${data['amount']}"
                 + (f": ${data['amount'] - money.balance} above the balance" if above else "")),
                ("Reason", data["reason"])]

    def act(form):
        data = form.cleaned_data
        payments.payment_adjust(term=term, amount=form.signed_amount, reason=data["reason"], actor=request.user,
                                ip=client_ip(request), above_balance=data["above_balance"], form_token=data["token"])
        messages.success(request, f"{data['kind'].capitalize()} of ${data['amount']} recorded.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Credit or charge a membership", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Record adjustment")


@require_safe
@membership_staff_required
def payments_attention(request):
    """Payments staff must look at, across all members: unanswered drafts, events not applied, overpayments."""
    return render(request, "members/staff/attention.html", {
        "payments": list(payments_needing_attention()[:500]), "reconcile_hours": settings.DRAFT_PENDING_RECONCILE_HOURS})


@membership_staff_required
def payment_attention_resolve(request, member_number, payment_id):
    member = _member(request, member_number)
    payment = _payment(member, payment_id)
    if not payment.attention:
        messages.info(request, "This payment needs nothing more.")
        return _back_to(member)
    form = AttentionResolveForm(_posted(request))

    def review(form):
        return [("Payment", f"${payment.amount} {payment.get_method_display()} for {payment.term.year_label}, "
                            f"{payment.get_status_display().lower()}"),
                ("Why it was flagged", payment.attention), ("What was done", form.cleaned_data["note"])]

    def act(form):
        payments.payment_attention_resolve(payment=payment, note=form.cleaned_data["note"], actor=request.user)
        messages.success(request, "Marked as dealt with.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Mark a flagged payment as dealt with",
                             context={"member": member, "term": payment.term, "payment": payment,
                                      "intro": payment.attention},
                             review=review, act=act, submit_label="Mark as dealt with")
