"""Helpers of the member's own membership pages: loading the member's objects, checkout, the category options and the authorization form."""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members import clock
from members.forms.join import AuthorizationForm
from members.models import Member, MembershipCategory, MembershipTerm, Payment, PaymentPlan
from members.selectors.payments import payments_visible_to_member
from members.selectors.terms import dues, member_renewable_term
from members.services.authorization import Authorization
from members.services.errors import MembershipError
from members.services.gateways.registry import GATEWAYS, get_gateway
from members.services.join import join_payment_sent
from members.services.payments import payment_checkout_prepare
from members.services.quotes import installment_schedule, rate_on

TermStatus = dues.TermStatus


DRAFT_KINDS = (PaymentPlan.Kind.MONTHLY, PaymentPlan.Kind.PAYDAY)


def _member(user) -> Member | None:
    return Member.objects.select_related("employer_district", "local", "career_field").filter(user=user).first()


def _member_or_join(request):
    member = _member(request.user)
    if member is None:
        messages.info(request, "First, tell us about yourself.")
    return member


def _this_years_term(member: Member, day: date) -> MembershipTerm | None:
    """A term that would clash with joining today (the rest of this membership year)."""
    end = dues.membership_year_bounds(dues.membership_year_for(day))[1]
    return (member.terms.filter(cancelled_at__isnull=True, period__overlap=(day, end + timedelta(days=1)))
            .order_by("period").first())


def _join_guard(request, member: Member):
    """Members with a membership this year, or one to renew, are sent where they can act on it."""
    day = clock.today()
    if member_renewable_term(member, today=day):
        messages.info(request, "Your membership is up for renewal: renew it here.")
        return redirect("members:renew")
    term = _this_years_term(member, day)
    if term is not None:
        messages.info(request, f"You already have a membership for {term.year_label}. Its status and payments are below.")
        return redirect("dashboard")
    return None


def _resubmitted(request, member: Member):
    """A form sent again (double click, back button) after it created the payment: that payment's checkout."""
    token = request.POST.get("token", "") if request.method == "POST" else ""
    payment = join_payment_sent(member=member, form_token=token)
    return _checkout(request, payment) if payment else None


def _category_or_none(code) -> MembershipCategory | None:
    return MembershipCategory.objects.filter(code=code or "", is_active=True).first()


def _categories_with_rates(day: date) -> dict[int, Decimal | None]:
    totals = {}
    for category in MembershipCategory.objects.filter(is_active=True):
        try:
            totals[category.pk] = rate_on(category, day).total
        except MembershipError:
            totals[category.pk] = None
    return totals


def _options(bound_field, totals, suggested=None):
    """Radio buttons of the category field, each with its category, full-year dues and description."""
    categories = {c.code: c for c in MembershipCategory.objects.filter(is_active=True)}
    options = []
    for radio in bound_field:
        category = categories.get(str(radio.data["value"]))
        if category is not None:
            options.append({"radio": radio, "category": category, "total": totals.get(category.pk),
                            "suggested": suggested is not None and category.pk == suggested.pk})
    return options


def _absolute(request, name, *args, query: dict | None = None) -> str:
    url = request.build_absolute_uri(reverse(name, args=args))
    return f"{url}?{urlencode(query)}" if query else url


def _checkout(request, payment: Payment):
    """Send the member to the gateway's checkout for a pending payment (or to its page if it is settled). A
    payment beyond what is left of its term (paid another way since) is refused, with the reason."""
    payment, refusal = payment_checkout_prepare(payment=payment)
    if refusal:
        messages.error(request, refusal)
        return redirect("members:payment_return", payment.pk)
    if payment.status != Payment.Status.PENDING:
        return redirect("members:payment_return", payment.pk)
    plan = payment.term.plan if payment.method == Payment.Method.BANK_DRAFT else None
    gateway = get_gateway(payment.gateway if payment.gateway in GATEWAYS else None)
    url = gateway.start_checkout(
        payment=payment, plan=plan, success_url=_absolute(request, "members:payment_return", payment.pk),
        cancel_url=_absolute(request, "members:payment_return", payment.pk, query={"cancelled": "1"}),
    )
    return redirect(url)


def _own_payment(request, pk) -> Payment:
    return get_visible_or_404(
        payments_visible_to_member(request.user).select_related("term__category", "term__plan", "member"), pk=pk)


def _active_plan(member: Member | None) -> PaymentPlan | None:
    if member is None:
        return None
    return member.plans.select_related("authorization").filter(status=PaymentPlan.Status.ACTIVE).first()


def _signature(request, form, text: str) -> dict:
    return {
        "typed_name": form.cleaned_data["typed_name"], "text": text, "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""), "signed_at": timezone.now(),
    }


def _pay_schedule_label(member: Member) -> str:
    district = member.employer_district
    if district is None:
        return "Your district is not on file: drafts fall on the last business day of each month."
    return f"{district} pays: {district.get_pay_schedule_display().lower()}."


def _preview(member: Member, *, kind: str, draft_day: int, start: date, end: date, amount: Decimal, day: date):
    return installment_schedule(plan=PaymentPlan(kind=kind, draft_day=draft_day), member=member,
                                         start=start, end=end, amount=amount, today=day)


def _draft_request(request, category: MembershipCategory):
    """(plan kind, draft day) from the query string of an authorization page, or None if not valid."""
    kind = request.GET.get("plan", "")
    try:
        draft_day = int(request.GET.get("draft_day", "1"))
    except ValueError:
        return None
    if kind not in DRAFT_KINDS or not 1 <= draft_day <= 28 or not category.allows_installments:
        return None
    return kind, draft_day


def _signed_form(request, member: Member, authorization: Authorization):
    """The signature form; a signature over a text that changed since it was shown is refused."""
    initial = {"digest": authorization.digest}
    if request.method != "POST":
        return AuthorizationForm(member=member, initial=initial), False
    form = AuthorizationForm(request.POST, member=member)
    valid = form.is_valid()
    if valid and form.cleaned_data["digest"] != authorization.digest:
        data = request.POST.copy()
        data["digest"] = authorization.digest
        form = AuthorizationForm(data, member=member)
        form.is_valid()
        form.add_error(None, "The authorization changed since you opened this page. Please read it again and sign below.")
        valid = False
    return form, valid


def _describe_plan(plan: PaymentPlan, member: Member) -> str:
    if plan.kind == PaymentPlan.Kind.MONTHLY:
        return f"Monthly bank draft on day {plan.draft_day}"
    if plan.kind == PaymentPlan.Kind.PAYDAY:
        district = member.employer_district
        schedule = f" ({district.get_pay_schedule_display().lower()})" if district else ""
        return f"Bank draft on each payday{schedule}"
    return plan.get_kind_display()


