"""Members' own membership pages: join, pay, renew, change or stop their plan; the gateway webhooks
and the sandbox's hosted checkout.

Views are thin: they load the member's own objects (another member's answer 404), validate with a
form and call one service. Payments become paid only through a verified gateway event, which the
sandbox checkout delivers through the same code path as a real gateway's webhook.
"""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mae_portal.audit import client_ip
from mae_portal.documents import subject_filter
from mae_portal.models import StoredDocument
from members import dues, selectors, services
from members.forms_membership import (
    AuthorizationForm,
    CategoryForm,
    JoinProfileForm,
    PlanChangeForm,
    PlanForm,
    RenewForm,
    SandboxBankForm,
    SandboxCardForm,
    TokenForm,
)
from members.gateways import GATEWAYS, InvalidWebhook, SandboxGateway, get_gateway
from members.models import District, Member, MembershipCategory, MembershipTerm, Payment, PaymentPlan, RenewalPolicy
from members.services import MembershipError

logger = logging.getLogger(__name__)

TermStatus = dues.TermStatus
DRAFT_KINDS = (PaymentPlan.Kind.MONTHLY, PaymentPlan.Kind.PAYDAY)


def today() -> date:
    """The portal's today (America/Chicago); tests replace it to walk through a membership year."""
    return timezone.localdate()


# --- helpers --------------------------------------------------------------------------------------------------


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


def _renewable_term(terms: list, day: date) -> MembershipTerm | None:
    """The term the member may renew today: paid up, in the renewal window, not renewed yet."""
    current = selectors.current_term(terms, day)
    if current is None or current.status not in (TermStatus.ACTIVE, TermStatus.EXPIRED):
        return None
    if any(t.continues_id == current.pk and t.status != TermStatus.CANCELLED for t in terms):
        return None
    policy = RenewalPolicy.current()
    if not dues.is_renewal_window_open(current.end, policy.renewal_window_days, policy.grace_period_days, day):
        return None
    return current


def _join_guard(request, member: Member):
    """Members with a membership this year, or one to renew, are sent where they can act on it."""
    day = today()
    if _renewable_term(selectors.member_terms(member, today=day), day):
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
    payment = Payment.objects.filter(idempotency_key=f"join:{member.pk}:{token}:first").first() if token else None
    return _checkout(request, payment) if payment else None


def _category_or_none(code) -> MembershipCategory | None:
    return MembershipCategory.objects.filter(code=code or "", is_active=True).first()


def _categories_with_rates(day: date) -> dict[int, Decimal | None]:
    totals = {}
    for category in MembershipCategory.objects.filter(is_active=True):
        try:
            totals[category.pk] = services.rate_on(category, day).total
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
    """Send the member to the gateway's checkout for a pending payment (or to its page if it is settled)."""
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
    return get_object_or_404(Payment.objects.select_related("term__category", "term__plan", "member"),
                             pk=pk, member__user=request.user)


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
    return services.installment_schedule(plan=PaymentPlan(kind=kind, draft_day=draft_day), member=member,
                                         start=start, end=end, amount=amount, today=day)


# --- the authorization members sign ---------------------------------------------------------------------------


@dataclass
class Authorization:
    text: str
    digest: str
    schedule: list = field(default_factory=list)


def authorization_for(*, member: Member, category: MembershipCategory, year_label: str, start: date, end: date,
                      total: Decimal, shares, kind: str, draft_day: int, schedule: list, day: date,
                      balance_only: bool = False) -> Authorization:
    """The exact authorization text for these drafts, and its digest (to tell if it changed before signing)."""
    text = render_to_string("members/membership/authorization.txt", {
        "member": member, "category": category, "year_label": year_label, "start": start, "end": end,
        "total": total, "shares": shares, "kind": kind, "monthly": kind == PaymentPlan.Kind.MONTHLY,
        "draft_day": draft_day, "schedule": schedule, "first": schedule[0], "later": schedule[1:], "today": day,
        "district": member.employer_district, "balance_only": balance_only,
        "version": settings.DRAFT_AUTHORIZATION_VERSION, "site_url": settings.SITE_URL,
    }).strip() + "\n"
    return Authorization(text=text, digest=hashlib.sha256(text.encode()).hexdigest(), schedule=schedule)


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
    initial = {"token": uuid.uuid4(), "digest": authorization.digest}
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


# --- join ------------------------------------------------------------------------------------------------------


@login_required
def join(request):
    """Step 1: who you are and where you work. Creates the member record or updates the one there is."""
    member = _member(request.user)
    if member is not None and (guard := _join_guard(request, member)):
        return guard
    instance = member or Member(legal_first_name=request.user.first_name, legal_last_name=request.user.last_name)
    form = JoinProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_create_or_update_for_join(user=request.user, data=form.cleaned_data, actor=request.user,
                                                      ip=client_ip(request))
        except MembershipError as exc:
            form.add_error("worksite", str(exc))
        else:
            return redirect("members:join_category")
    return render(request, "members/membership/join_profile.html", {
        "form": form, "member": member, "districts": District.objects.values_list("name", flat=True), "step": 1,
    })


@login_required
@require_GET
def join_worksites(request):
    """The worksite field for the district typed so far (htmx swaps it in as the member types)."""
    form = JoinProfileForm(initial={"employer_district": request.GET.get("employer_district", ""),
                                    "worksite": request.GET.get("worksite", "")})
    return render(request, "members/membership/_worksite_field.html", {"form": form})


@login_required
def join_category(request):
    """Step 2: the category the profile points to, with the others to choose from."""
    member = _member_or_join(request)
    if member is None:
        return redirect("members:join")
    if guard := _join_guard(request, member):
        return guard
    suggested = services.suggest_category(member)
    form = CategoryForm(request.POST or None, initial={"category": suggested.code if suggested else None})
    if request.method == "POST" and form.is_valid():
        return redirect(f"{reverse('members:join_plan')}?{urlencode({'category': form.cleaned_data['category'].code})}")
    options = _options(form["category"], _categories_with_rates(today()), suggested)
    return render(request, "members/membership/join_category.html",
                  {"form": form, "options": options, "suggested": suggested, "member": member, "step": 2})


@login_required
def join_plan(request):
    """Step 3: the dues (with their three shares) and how to pay them."""
    member = _member_or_join(request)
    if member is None:
        return redirect("members:join")
    if again := _resubmitted(request, member):
        return again
    if guard := _join_guard(request, member):
        return guard
    category = _category_or_none(request.GET.get("category"))
    if category is None:
        messages.error(request, "Choose a membership category first.")
        return redirect("members:join_category")
    day = today()
    try:
        quote = services.membership_quote(category=category, today=day)
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("members:join_category")
    form = PlanForm(request.POST or None, installments_allowed=category.allows_installments,
                    initial={"token": uuid.uuid4(), "plan_kind": PaymentPlan.Kind.ANNUAL, "draft_day": 1})
    if request.method == "POST" and form.is_valid():
        kind, draft_day = form.cleaned_data["plan_kind"], form.cleaned_data["draft_day"]
        if kind == PaymentPlan.Kind.ANNUAL:
            return _join_and_checkout(request, member=member, category=category, plan_kind=kind, draft_day=1,
                                      authorization=None, token=form.cleaned_data["token"])
        query = urlencode({"category": category.code, "plan": kind, "draft_day": draft_day})
        return redirect(f"{reverse('members:join_authorize')}?{query}")
    return render(request, "members/membership/join_plan.html",
                  {"form": form, "quote": quote, "member": member, "step": 3, "year_label": _year_label(quote.membership_year),
                   **_plan_previews(member, quote, form, day)})


def _plan_previews(member, quote, form, day):
    if not quote.category.allows_installments:
        return {}
    try:
        draft_day = int(form["draft_day"].value() or 1)
    except (TypeError, ValueError):
        draft_day = 1
    args = {"start": quote.start, "end": quote.end, "amount": quote.amount, "day": day}
    return {
        "monthly_preview": _preview(member, kind=PaymentPlan.Kind.MONTHLY, draft_day=draft_day, **args),
        "payday_preview": _preview(member, kind=PaymentPlan.Kind.PAYDAY, draft_day=1, **args),
        "pay_schedule": _pay_schedule_label(member),
        "preview_day": draft_day,
    }


def _join_and_checkout(request, *, member, category, plan_kind, draft_day, authorization, token, renewal_of=None):
    try:
        payment = services.membership_join(
            member=member, category=category, plan_kind=plan_kind, draft_day=draft_day, authorization=authorization,
            actor=request.user, today=today(), idempotency_key=f"join:{member.pk}:{token}", renewal_of=renewal_of,
        )
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard")
    return _checkout(request, payment)


@login_required
def join_authorize(request, renewal=False):
    """Bank drafts: the exact authorization, agreed to with a tick and the typed legal name."""
    member = _member_or_join(request)
    if member is None:
        return redirect("members:join")
    if again := _resubmitted(request, member):
        return again
    day = today()
    renewal_of = None
    if renewal:
        renewal_of = _renewable_term(selectors.member_terms(member, today=day), day)
        if renewal_of is None:
            messages.info(request, "There is no membership to renew right now.")
            return redirect("dashboard")
    elif guard := _join_guard(request, member):
        return guard
    category = _category_or_none(request.GET.get("category"))
    drafts = _draft_request(request, category) if category else None
    if drafts is None:
        messages.error(request, "Choose your category and how to pay first.")
        return redirect("members:renew" if renewal else "members:join_category")
    kind, draft_day = drafts
    try:
        quote = services.membership_quote(category=category, today=day, renewal_of=renewal_of)
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard")
    schedule = _preview(member, kind=kind, draft_day=draft_day, start=quote.start, end=quote.end, amount=quote.amount,
                        day=day)
    authorization = authorization_for(
        member=member, category=category, year_label=_year_label(quote.membership_year), start=quote.start,
        end=quote.end, total=quote.amount, shares=quote.shares, kind=kind, draft_day=draft_day, schedule=schedule,
        day=day,
    )
    form, valid = _signed_form(request, member, authorization)
    if valid:
        return _join_and_checkout(request, member=member, category=category, plan_kind=kind, draft_day=draft_day,
                                  authorization=_signature(request, form, authorization.text),
                                  token=form.cleaned_data["token"], renewal_of=renewal_of)
    return render(request, "members/membership/authorize.html", {
        "form": form, "authorization": authorization, "quote": quote, "member": member, "kind": kind,
        "step": None if renewal else 4, "renewal": renewal,
        "back_url": reverse("members:renew") if renewal else f"{reverse('members:join_plan')}?{urlencode({'category': category.code})}",
    })


def _year_label(year: int) -> str:
    return f"{year}-{str(year + 1)[-2:]}"


# --- renew -----------------------------------------------------------------------------------------------------


@login_required
def renew(request):
    """One page: the same category (or another) and plan for next year, then checkout."""
    member = _member(request.user)
    if member is None:
        return redirect("members:join")
    if again := _resubmitted(request, member):
        return again
    day = today()
    terms = selectors.member_terms(member, today=day)
    term = _renewable_term(terms, day)
    if term is None:
        current = selectors.current_term(terms, day)
        if current is None:
            return redirect("members:join")
        policy = RenewalPolicy.current()
        return render(request, "members/membership/renew_closed.html", {
            "term": current, "opens": dues.renewal_window_opens(current.end, policy.renewal_window_days),
            "renewed": next((t for t in terms if t.continues_id == current.pk and t.status != TermStatus.CANCELLED), None),
        })
    plan = _active_plan(member)
    category = term.category if term.category.is_active else services.suggest_category(member)
    form = RenewForm(request.POST or None, initial={
        "token": uuid.uuid4(), "category": category.code if category else None,
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
            quotes[option.pk] = services.membership_quote(category=option, today=day, renewal_of=term)
        except MembershipError:
            continue
    selected = _category_or_none(form["category"].value()) or category
    quote = quotes.get(selected.pk) if selected else None
    return render(request, "members/membership/renew.html", {
        "form": form, "term": term, "plan": plan, "year_label": _year_label(year), "start": start, "end": end,
        "options": _options(form["category"], {pk: q.amount for pk, q in quotes.items()}), "quote": quote,
        "member": member, **(_plan_previews(member, quote, form, day) if quote else {}),
    })


# --- the sandbox's hosted checkout, webhooks, the return page ---------------------------------------------------


def webhook_deliver(*, gateway_name: str, body: bytes, meta: dict) -> tuple[int, str]:
    """Verify and apply one gateway event: (400, reason) for a bad signature or body, else (200, what happened).
    The webhook view and the sandbox checkout both come through here."""
    gateway = get_gateway(gateway_name)
    try:
        outcome = gateway.parse_webhook(body=body, meta=meta)
    except InvalidWebhook as exc:
        logger.warning("Refused a %s webhook: %s", gateway_name, exc)
        return 400, "invalid"
    result = services.gateway_event_handle(gateway=gateway_name, outcome=outcome)
    logger.info("%s webhook %s %s: %s", gateway_name, outcome.event_type, outcome.event_id, result)
    return 200, result


def _gateway_enabled(name: str) -> bool:
    return name in GATEWAYS and (name != SandboxGateway.name or settings.PAYMENT_GATEWAY == SandboxGateway.name)


@csrf_exempt
@require_POST
def payment_webhook(request, gateway):
    if not _gateway_enabled(gateway):
        raise Http404
    status, result = webhook_deliver(gateway_name=gateway, body=request.body, meta=request.META)
    return HttpResponse(result, status=status, content_type="text/plain")


@login_required
def sandbox_checkout(request, token):
    """The sandbox's stand-in for a hosted checkout page. Its outcome goes back as a signed event."""
    if not _gateway_enabled(SandboxGateway.name):
        raise Http404
    try:
        data = SandboxGateway.read_checkout_token(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    payment = get_object_or_404(Payment.objects.select_related("term__category", "member"),
                                idempotency_key=data.get("p", ""), member__user=request.user)
    if payment.status != Payment.Status.PENDING:
        return redirect("members:payment_return", payment.pk)
    gateway = SandboxGateway()
    bank = payment.method == Payment.Method.BANK_DRAFT
    form = (SandboxBankForm(request.POST or None) if bank
            else SandboxCardForm(request.POST or None, today=today()))
    if request.method == "POST" and form.is_valid():
        if bank:
            account = form.cleaned_data["account"]
            ok, message, label = gateway.outcome_for_account(form.cleaned_data["routing"], account)
            method_token = f"sbx_acct_{account}"
        else:
            number = form.cleaned_data["number"]
            ok, message, label = gateway.outcome_for_card(number)
            method_token = f"sbx_card_{number[-4:]}"
        event = gateway.build_event(payment_key=payment.idempotency_key, succeeded=ok, message=message,
                                    method_label=label, method_token=method_token)
        body = json.dumps(event).encode()
        webhook_deliver(gateway_name=gateway.name, body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})
        return redirect(_safe(request, data.get("ok")) or reverse("members:payment_return", args=[payment.pk]))
    return render(request, "members/membership/sandbox_checkout.html", {
        "form": form, "payment": payment, "bank": bank, "cards": SandboxGateway.CARDS,
        "accounts": SandboxGateway.ACCOUNTS, "routing": SandboxGateway.ROUTING,
        "cancel_url": _safe(request, data.get("no")) or reverse("dashboard"),
    })


def _safe(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return None


def _payment_context(request, payment: Payment) -> dict:
    day = today()
    term = next((t for t in selectors.member_terms(payment.member, today=day) if t.pk == payment.term_id), None)
    same_due = [p for p in payment.term.payments.all() if p.due_on == payment.due_on and p.pk != payment.pk]
    settled_by = next((p for p in same_due if p.status == Payment.Status.SUCCEEDED), None)
    retrying = next((p for p in same_due if p.status == Payment.Status.PENDING), None)
    early_draft = (payment.status == Payment.Status.PENDING and payment.method == Payment.Method.BANK_DRAFT
                   and payment.installment_number is not None and payment.due_on is not None and payment.due_on > day)
    return {
        "payment": payment, "term": term, "settled_by": settled_by, "retrying": retrying,
        "cancelled": request.GET.get("cancelled") == "1", "retry_form": TokenForm(initial={"token": uuid.uuid4()}),
        "early_draft": early_draft, "next_draft": selectors.next_draft(payment.member),
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
        retry = services.payment_retry(payment=payment,
                                       idempotency_key=f"retry:{payment.pk}:{form.cleaned_data['token']}")
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("members:payment_return", payment.pk)
    return _checkout(request, retry)


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
    services.plan_payment_method_update_abandon(member=payment.member, payment=payment, actor=request.user, today=today())
    messages.success(request, "Nothing changed: your drafts still come from the account you had.")
    return redirect("dashboard")


# --- the member's plan ----------------------------------------------------------------------------------------


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


def _annual_balance(member: Member, plan: PaymentPlan, day: date):
    """For an annual plan: this year's term on it and what is left to pay (none if a payment is pending)."""
    terms = selectors.member_terms(member, today=day)
    term = next((t for t in terms if t.plan_id == plan.pk and t.start <= day <= t.end
                 and t.status != TermStatus.CANCELLED), None)
    if term is None:
        return None, Decimal("0")
    if term.payments.filter(status=Payment.Status.PENDING).exists():
        return term, Decimal("0")
    return term, max(term.amount_due - term.paid, Decimal("0"))


def _describe_plan(plan: PaymentPlan, member: Member) -> str:
    if plan.kind == PaymentPlan.Kind.MONTHLY:
        return f"Monthly bank draft on day {plan.draft_day}"
    if plan.kind == PaymentPlan.Kind.PAYDAY:
        district = member.employer_district
        schedule = f" ({district.get_pay_schedule_display().lower()})" if district else ""
        return f"Bank draft on each payday{schedule}"
    return plan.get_kind_display()


@login_required
@_plan_page
def plan_change(request):
    """Switch between monthly and per-payday drafts (or from a yearly card payment to drafts)."""
    member, plan = _plan_or_404(request)
    day = today()
    balance_term, balance = (None, None) if plan.is_installment else _annual_balance(member, plan, day)
    form = PlanChangeForm(request.POST or None, initial={
        "token": uuid.uuid4(), "plan_kind": plan.kind if plan.is_installment else PaymentPlan.Kind.MONTHLY,
        "draft_day": plan.draft_day,
    })
    if request.method == "POST" and form.is_valid():
        kind, draft_day = form.cleaned_data["plan_kind"], form.cleaned_data["draft_day"]
        if not plan.is_installment:
            query = urlencode({"plan": kind, "draft_day": draft_day})
            return redirect(f"{reverse('members:plan_change_authorize')}?{query}")
        try:
            services.plan_change(member=member, plan_kind=kind, draft_day=draft_day, actor=request.user, today=day,
                                 idempotency_key=f"plan:{member.pk}:{form.cleaned_data['token']}")
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        new_plan = _active_plan(member)
        draft = selectors.next_draft(member)
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
    member = _member(request.user)
    token = request.POST.get("token", "") if request.method == "POST" else ""
    if member is not None and token:
        sent = Payment.objects.filter(idempotency_key=f"plan:{member.pk}:{token}:first").first()
        if sent is not None:  # the same signature sent again: its checkout
            return _checkout(request, sent)
    member, plan = _plan_or_404(request, installment=False)
    day = today()
    term, balance = _annual_balance(member, plan, day)
    kind = request.GET.get("plan", "")
    try:
        draft_day = int(request.GET.get("draft_day", "1"))
    except ValueError:
        draft_day = 0
    if term is None or balance <= 0 or kind not in DRAFT_KINDS or not 1 <= draft_day <= 28:
        messages.error(request, "There is nothing to draft this year. You can choose bank drafts when you renew.")
        return redirect("members:plan_change")
    schedule = _preview(member, kind=kind, draft_day=draft_day, start=term.start, end=term.end, amount=balance, day=day)
    authorization = authorization_for(
        member=member, category=term.category, year_label=term.year_label, start=term.start, end=term.end,
        total=balance, shares=None, kind=kind, draft_day=draft_day, schedule=schedule, day=day, balance_only=True,
    )
    form, valid = _signed_form(request, member, authorization)
    if valid:
        try:
            payment = services.plan_change(
                member=member, plan_kind=kind, draft_day=draft_day, actor=request.user, today=day,
                authorization=_signature(request, form, authorization.text),
                idempotency_key=f"plan:{member.pk}:{form.cleaned_data['token']}",
            )
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        return _checkout(request, payment)
    return render(request, "members/membership/authorize.html", {
        "form": form, "authorization": authorization, "member": member, "kind": kind, "balance": balance,
        "term": term, "plan_change": True, "back_url": reverse("members:plan_change"),
    })


@login_required
@_plan_page
def plan_cancel_auto_renew(request):
    member, plan = _plan_or_404(request, installment=True)
    if not plan.auto_renew:
        messages.info(request, "Automatic renewal is already off.")
        return redirect("dashboard")
    if request.method == "POST":
        services.plan_cancel_auto_renew(plan=plan, actor=request.user)
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
        services.plan_cancel_drafts(plan=plan, actor=request.user)
        messages.success(request, "Your bank drafts are stopped and your authorization is revoked. "
                                  "Pay what is left for this year by card below.")
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
            payment = services.plan_payment_method_update_start(member=member, actor=request.user, today=today())
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        return _checkout(request, payment)
    return render(request, "members/membership/payment_method.html",
                  {"plan": plan, "member": member, "draft": selectors.next_draft(member)})


# --- the dashboard's membership panel -------------------------------------------------------------------------

DOCUMENTS_EXPECTED_FOR = timedelta(minutes=10)


def membership_documents_expected(user) -> bool:
    """A payment was made in the last few minutes and its receipt, or its term's card, is not there yet:
    the dashboard keeps asking for its documents, so they appear without a reload once a worker makes
    them. (After a few minutes it stops asking; a document that never came is for staff to look at.)"""
    if not user.is_authenticated:
        return False
    receipt = StoredDocument.objects.filter(kind="receipt", subject_type=ContentType.objects.get_for_model(Payment),
                                            subject_id=Cast(OuterRef("pk"), CharField()))
    card = StoredDocument.objects.filter(kind="card", subject_type=ContentType.objects.get_for_model(MembershipTerm),
                                         subject_id=Cast(OuterRef("term_id"), CharField()))
    return (Payment.objects.filter(member__user=user, status=Payment.Status.SUCCEEDED, amount__gt=0,
                                   paid_at__gte=timezone.now() - DOCUMENTS_EXPECTED_FOR, term__cancelled_at__isnull=True)
            .filter(~Exists(receipt) | ~Exists(card)).exists())


@dataclass
class Status:
    tone: str  # ok, pending, warn, none
    text: str
    detail: str = ""


def _lapse_date(term, payments, grace: int) -> date:
    """The day a term in arrears lapsed: the grace period after the first original draft not covered by payments."""
    covered = term.paid
    for payment in sorted((p for p in payments if p.term_id == term.pk and p.installment_number), key=lambda p: p.due_on):
        covered -= payment.amount
        if covered < 0:
            return max(payment.due_on, term.start) + timedelta(days=grace + 1)
    return term.start + timedelta(days=grace + 1)


def _status(current, payments, day: date, grace: int) -> Status:
    if current is None:
        return Status("none", "Not a member yet")
    end = f"{current.end:%B %-d, %Y}"
    if current.status == TermStatus.ACTIVE:
        return Status("ok", f"Active member through {end}")
    if current.status == TermStatus.PENDING:
        return Status("pending", "Payment pending", f"Your {current.year_label} membership starts once your dues are paid.")
    if current.status == TermStatus.GRACE:
        return Status("warn", f"In grace period: pay by {current.start + timedelta(days=grace):%B %-d, %Y}",
                      f"Your {current.year_label} dues are not paid yet.")
    if current.status == TermStatus.EXPIRED:
        grace_end = current.end + timedelta(days=grace)
        if day <= grace_end:
            return Status("warn", f"In grace period: renew by {grace_end:%B %-d, %Y}", f"Your membership ended on {end}.")
        return Status("warn", f"Lapsed on {grace_end + timedelta(days=1):%B %-d, %Y}",
                      f"Your membership ended on {end} and was not renewed.")
    if current.status == TermStatus.LAPSED:
        return Status("warn", f"Lapsed on {_lapse_date(current, payments, grace):%B %-d, %Y}",
                      f"Your {current.year_label} dues are behind. Pay what is due below to be a member again.")
    return Status("none", "Not a member yet")


def _needing_payment(payments, terms_by_pk) -> list:
    """Failed payments still owed: per term and due date, the latest failed attempt of a draft or
    payment of the term's schedule, when nothing paid or pending covers it."""
    groups: dict = {}
    for payment in payments:
        groups.setdefault((payment.term_id, payment.due_on), []).append(payment)
    owed = []
    for (term_id, _), group in groups.items():
        term = terms_by_pk.get(term_id)
        if term is None or term.status == TermStatus.CANCELLED:
            continue
        if not any(p.installment_number for p in group):
            continue
        if any(p.status in (Payment.Status.PENDING, Payment.Status.SUCCEEDED, Payment.Status.SCHEDULED) for p in group):
            continue
        failed = [p for p in group if p.status == Payment.Status.FAILED]
        if failed:
            owed.append(max(failed, key=lambda p: p.created_at))
    return sorted(owed, key=lambda p: (p.due_on or date.min, p.pk))


def membership_dashboard(user, day: date | None = None) -> dict:
    """Everything the dashboard shows about the member's membership, in a fixed number of queries."""
    day = day or today()
    member = getattr(user, "member", None)
    if member is None:
        return {"membership": None}
    terms = selectors.member_terms(member, today=day)
    terms_by_pk = {t.pk: t for t in terms}
    grace = RenewalPolicy.current().grace_period_days
    payments = list(selectors.member_payments(member).select_related("term__category"))
    current = selectors.current_term(terms, day)
    plan = _active_plan(member)
    renewable = _renewable_term(terms, day)
    renewal = next((t for t in terms if current and t.continues_id == current.pk and t.status != TermStatus.CANCELLED), None)
    receipts = {d.subject_id: d for d in StoredDocument.objects.filter(
        subject_filter(Payment, [p.pk for p in payments]), owner=user, kind="receipt",
        status=StoredDocument.Status.READY).only("pk", "subject_id")}
    for payment in payments:
        payment.receipt = receipts.get(str(payment.pk))
    pending = [p for p in payments if p.status == Payment.Status.PENDING]
    auto_renews = bool(plan and plan.is_installment and plan.auto_renew)
    return {"membership": {
        "member": member, "terms": [t for t in terms], "current": current, "status": _status(current, payments, day, grace),
        "plan": plan, "plan_label": _describe_plan(plan, member) if plan else "",
        "next_draft": next((p for p in sorted(payments, key=lambda p: p.due_on or date.max)
                            if p.status == Payment.Status.SCHEDULED), None),
        "history": [p for p in payments if p.status != Payment.Status.SCHEDULED],
        "owed": _needing_payment(payments, terms_by_pk), "pending": pending,
        "renewable": renewable, "renewal": renewal, "auto_renews": auto_renews,
        "next_year_label": _year_label((renewable or current).membership_year + 1) if (renewable or current) else "",
        "renews_on": date((current.membership_year + 1), 9, 1) if current else None,
        "retry_token": uuid.uuid4(),
    }}
