"""Staff actions on payments: record a check or cash, refund, adjust."""

from django.contrib import messages

from mae_portal.audit import client_ip
from members.forms.staff import (
    AdjustmentForm,
    PaymentRecordForm,
    RefundForm,
)
from members.selectors.payments import member_payments_for_staff
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


@membership_staff_required
def payment_record(request, member_number, term_id):
    member = _member(request, member_number)
    term = _term(member, term_id)
    form = PaymentRecordForm(_posted(request))

    def review(form):
        data = form.cleaned_data
        return [("Membership", f"{term.category} {term.year_label}"), ("Amount", f"${data['amount']}"),
                ("Paid by", dict(form.fields["method"].choices)[data["method"]]
                 + (f", check {data['check_number']}" if data["method"] == "check" else ""))]

    def act(form):
        data = form.cleaned_data
        payments.payment_record(term=term, amount=data["amount"], method=data["method"],
                                check_number=data["check_number"], note=data["note"], actor=request.user, ip=client_ip(request),
                                form_token=data["token"])
        messages.success(request, f"${data['amount']} recorded for {term.year_label}.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Record a check or cash payment", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Record payment")


@membership_staff_required
def payment_refund(request, member_number, payment_id):
    member = _member(request, member_number)
    payment = _payment(member, payment_id)
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
    form = AdjustmentForm(_posted(request))

    def review(form):
        return [("Membership", f"{term.category} {term.year_label}"),
                ("Adjustment", f"{form.cleaned_data['kind'].capitalize()} of ${form.cleaned_data['amount']}"),
                ("Reason", form.cleaned_data["reason"])]

    def act(form):
        data = form.cleaned_data
        payments.payment_adjust(term=term, amount=form.signed_amount, reason=data["reason"], actor=request.user, ip=client_ip(request),
                                form_token=data["token"])
        messages.success(request, f"{data['kind'].capitalize()} of ${data['amount']} recorded.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Credit or charge a membership", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Record adjustment")
