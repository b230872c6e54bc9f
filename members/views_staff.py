"""Membership staff pages: member search and record, payments and terms, categories and dues, "member on date X".

The whole area is for membership staff (and admins): anyone else gets 403 on every page, whatever the
object, so a 403 tells them nothing about which members exist. Staff get 404 for objects that do not exist.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mae_portal.permissions import is_membership_staff
from members import dues, selectors, services
from members.rules import members_visible_to
from members.forms_staff import (
    AdjustmentForm,
    CategoryCreateForm,
    CategoryForm,
    ConfirmForm,
    DuesRateForm,
    MemberNoteForm,
    MemberOnDateForm,
    NoticeRuleForm,
    PaymentRecordForm,
    RefundForm,
    RenewalPolicyForm,
    StaffJoinForm,
    StaffSearchForm,
    TermCancelForm,
    TermCategoryForm,
)
from members.models import MembershipCategory, MembershipTerm, Payment, RenewalNoticeRule, RenewalPolicy

SEARCH_PAGE_SIZE = 50


def today():
    return timezone.localdate()


def membership_staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_membership_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Loading objects: through the access scope; 404 when they do not exist or do not belong together ---------

def _member(request, member_number):
    return get_object_or_404(
        members_visible_to(request.user).select_related("user", "local", "employer_district__region", "worksite",
                                                        "career_field"),
        member_number=member_number,
    )


def _term(member, term_id):
    return get_object_or_404(MembershipTerm.objects.select_related("category", "plan", "member"), member=member,
                             pk=term_id)


def _payment(member, payment_id):
    return get_object_or_404(Payment.objects.select_related("term__category"), member=member, pk=payment_id)


def _posted(request):
    # A confirmation page may post nothing but the CSRF token: still a bound form.
    return request.POST if request.method == "POST" else None


def _back_to(member):
    return redirect("members:staff_member_detail", member_number=member.member_number)


def _confirmed_action(request, form, *, title, context, review, act, submit_label, danger=False):
    """The shape of every staff action that moves money or changes a term: the form, then a review of what
    will happen (the values travel as hidden fields), then the service. A domain error becomes a message
    over the form and nothing is stored."""
    page = {"form": form, "title": title, "submit_label": submit_label, "danger": danger, **context}
    if request.method == "POST" and form.is_valid():
        if "confirm" in request.POST:
            try:
                return act(form)
            except services.MembershipError as error:
                messages.error(request, str(error))
        elif "edit" not in request.POST:
            return render(request, "members/staff/action.html", {**page, "review": review(form)})
    return render(request, "members/staff/action.html", page)


# --- Search and the member's record ------------------------------------------------------------------------------

@membership_staff_required
def member_search(request):
    form = StaffSearchForm(request.GET or None)
    grace = RenewalPolicy.current().grace_period_days
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.member_search_page(
        page_number=request.GET.get("page"), per_page=SEARCH_PAGE_SIZE,
        query=filters.get("q", ""), status=filters.get("status", ""), category=filters.get("category"),
        career_field=filters.get("career_field"), local=filters.get("local"), region=filters.get("region"),
        today=today(), grace_days=grace,
    )
    labels = dict(selectors.MEMBER_STATUSES)
    for member in page:
        member.status_label = labels.get(member.membership_status, member.membership_status)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/staff/search.html", {
        "form": form, "page": page, "query": query.urlencode(), "searched": bool(query),
    })


@membership_staff_required
def member_detail(request, member_number):
    member = _member(request, member_number)
    day = today()
    terms = selectors.member_terms(member, today=day)
    grace = RenewalPolicy.current().grace_period_days
    payments = selectors.member_payments_for_staff(member)
    plans = list(selectors.member_plans_for_staff(member))
    notes = list(selectors.member_notes(member))
    trail = list(selectors.member_audit_trail(member, terms=terms, payments=payments, plans=plans, notes=notes))
    for entry in trail:
        entry.summary = "; ".join(f"{key}: {value}" for key, value in entry.changes.items() if key != "form_token")
    return render(request, "members/staff/member.html", {
        "member": member, "terms": terms, "payments": payments, "plans": plans, "notes": notes, "trail": trail,
        "documents": list(selectors.member_documents_for_staff(member)),
        "status": dict(selectors.MEMBER_STATUSES)[selectors.membership_status(terms, today=day, grace_days=grace)],
        "note_form": MemberNoteForm(),
        "can_create_term": bool(_join_choices(member, terms, day)),
    })


@membership_staff_required
def member_note_add(request, member_number):
    member = _member(request, member_number)
    form = MemberNoteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_note_add(member=member, text=form.cleaned_data["text"], actor=request.user,
                                     form_token=form.cleaned_data["token"])
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Note added.")
            return _back_to(member)
    return render(request, "members/staff/action.html", {
        "form": form, "member": member, "title": f"Add a note to {member.display_name}'s record",
        "submit_label": "Add note", "direct": True,
    })


# --- Terms and payments ----------------------------------------------------------------------------------------

def _join_choices(member, terms, day):
    """What staff may create for the member today: a term for this membership year from today, unless one
    covers today; a renewal of their latest term while its renewal window or grace period is open."""
    choices = []
    renewable = services.staff_renewable_term(member, today=day)
    if renewable is not None:
        next_year = renewable.membership_year + 1
        choices.append((f"renew:{renewable.pk}",
                        f"Renew {renewable.year_label}: the whole {next_year}-{str(next_year + 1)[-2:]} year"))
    year_end = dues.membership_year_bounds(dues.membership_year_for(day))[1]
    if not any(t.cancelled_at is None and t.start <= year_end and t.end >= day for t in terms):
        choices.append(("join", f"Join from today ({day:%B %-d, %Y}) to August 31, {year_end.year}"))
    return choices


@membership_staff_required
def term_create(request, member_number):
    member = _member(request, member_number)
    day = today()
    choices = _join_choices(member, selectors.member_terms(member, today=day), day)
    if not choices:
        messages.info(request, f"{member.display_name} has a membership covering today and nothing to renew yet.")
        return _back_to(member)
    form = StaffJoinForm(_posted(request), choices=choices,
                         initial={"category": services.suggest_category(member)})

    def renewal_of(form):
        which = form.cleaned_data["which"]
        return get_object_or_404(MembershipTerm, pk=int(which.split(":")[1]), member=member) if which != "join" else None

    def review(form):
        quote = services.membership_quote(category=form.cleaned_data["category"], today=day,
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
        payment = services.membership_join_by_staff(
            member=member, category=data["category"], renewal_of=renewal_of(form), method=data["method"],
            check_number=data["check_number"], note=data["note"], actor=request.user, today=day,
            idempotency_key=f"staff-join:{data['token']}",
        )
        messages.success(request, f"{payment.term.year_label} membership created"
                         + (" and paid." if payment.status == Payment.Status.SUCCEEDED else
                            "; it is pending until the member pays online."))
        return _back_to(member)

    return _confirmed_action(request, form, title=f"Create a membership for {member.display_name}",
                             context={"member": member}, review=review, act=act, submit_label="Create membership")


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
        services.payment_record(term=term, amount=data["amount"], method=data["method"],
                                check_number=data["check_number"], note=data["note"], actor=request.user,
                                idempotency_key=f"staff-payment:{data['token']}")
        messages.success(request, f"${data['amount']} recorded for {term.year_label}.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Record a check or cash payment", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Record payment")


@membership_staff_required
def payment_refund(request, member_number, payment_id):
    member = _member(request, member_number)
    payment = _payment(member, payment_id)
    refundable = next(p.refundable for p in selectors.member_payments_for_staff(member) if p.pk == payment.pk)
    if refundable <= 0:
        messages.error(request, "This payment has nothing left to refund.")
        return _back_to(member)
    form = RefundForm(_posted(request), refundable=refundable)

    def review(form):
        return [("Payment", f"${payment.amount} {payment.get_method_display()} for {payment.term.year_label}"),
                ("Refund", f"${form.cleaned_data['amount']}"), ("Reason", form.cleaned_data["reason"])]

    def act(form):
        data = form.cleaned_data
        services.payment_refund(payment=payment, amount=data["amount"], reason=data["reason"], actor=request.user,
                                idempotency_key=f"staff-refund:{data['token']}")
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
        services.payment_adjust(term=term, amount=form.signed_amount, reason=data["reason"], actor=request.user,
                                idempotency_key=f"staff-adjust:{data['token']}")
        messages.success(request, f"{data['kind'].capitalize()} of ${data['amount']} recorded.")
        return _back_to(member)

    return _confirmed_action(request, form, title="Credit or charge a membership", context={"member": member, "term": term},
                             review=review, act=act, submit_label="Record adjustment")


@membership_staff_required
def term_change_category(request, member_number, term_id):
    # Idempotent by state: the service does nothing when the term is in that category already.
    member = _member(request, member_number)
    term = _term(member, term_id)
    form = TermCategoryForm(_posted(request), term=term)

    def review(form):
        category = form.cleaned_data["category"]
        try:
            shares = services.term_category_change_quote(term=term, category=category)
        except services.MembershipError as error:
            return [("Problem", str(error))]
        return [("Membership", f"{term.year_label}, {term.start:%B %-d, %Y} to {term.end:%B %-d, %Y}"),
                ("Category", f"{term.category} → {category}"),
                ("Dues", f"${term.amount_due} → ${shares.total}")]

    def act(form):
        services.term_change_category(term=term, category=form.cleaned_data["category"], actor=request.user)
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
            services.term_cancel(term=term, reason=form.cleaned_data["reason"], actor=request.user)
        except services.MembershipError as error:
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
            services.term_reinstate(term=term, actor=request.user)
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The {term.year_label} membership is reinstated.")
            return _back_to(member)
    return render(request, "members/staff/action.html", {
        "form": form, "member": member, "term": term, "direct": True,
        "title": f"Reinstate the {term.year_label} membership", "submit_label": "Reinstate membership",
        "intro": "Drafts stopped when it was cancelled are not restarted; record payments or adjust as needed.",
    })


# --- Categories, dues, renewal policy and notices ---------------------------------------------------------------

@membership_staff_required
def categories(request):
    day = today()
    category_list = list(MembershipCategory.objects.prefetch_related("rates").order_by("sort_order", "name"))
    for category in category_list:
        rates = list(category.rates.all())  # newest first (model ordering)
        category.rate_rows = rates
        category.rate_now = next((r for r in rates if r.effective_from <= day), None)
    return render(request, "members/staff/categories.html", {
        "categories": category_list, "policy": RenewalPolicy.current(), "today": day,
        "rules": RenewalNoticeRule.objects.select_related("category").order_by("offset_days", "category__name"),
    })


def _simple_form_page(request, form, *, title, submit_label, act, success, context=None):
    if request.method == "POST" and form.is_valid():
        try:
            act(form)
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success)
            return redirect("members:staff_categories")
    return render(request, "members/staff/action.html", {
        "form": form, "title": title, "submit_label": submit_label, "direct": True,
        "cancel_url": "members:staff_categories", **(context or {}),
    })


@membership_staff_required
def category_add(request):
    form = CategoryCreateForm(_posted(request), initial={"effective_from": today(), "proration": "monthly"})
    return _simple_form_page(
        request, form, title="Add a membership category", submit_label="Add category", success="Category added.",
        act=lambda f: services.category_create(data=f.category_data(), first_rate=f.rate_data(), actor=request.user),
    )


@membership_staff_required
def category_edit(request, code):
    category = get_object_or_404(MembershipCategory, code=code)
    form = CategoryForm(_posted(request), instance=category)
    return _simple_form_page(
        request, form, title=f"Edit the {category} category", submit_label="Save", success="Category saved.",
        act=lambda f: services.category_update(
            category=category, data={name: f.cleaned_data[name] for name in CategoryForm.Meta.fields}, actor=request.user),
    )


@membership_staff_required
def rate_add(request, code):
    category = get_object_or_404(MembershipCategory, code=code)
    form = DuesRateForm(_posted(request), category=category)
    return _simple_form_page(
        request, form, title=f"Add a dues rate for {category}", submit_label="Add rate", success="Dues rate added.",
        act=lambda f: services.dues_rate_add(category=category, actor=request.user, **f.cleaned_data),
        context={"intro": "Memberships already made keep their dues; new ones starting on or after the date use this rate."},
    )


@membership_staff_required
def renewal_policy_edit(request):
    form = RenewalPolicyForm(_posted(request), instance=RenewalPolicy.current())
    return _simple_form_page(
        request, form, title="Renewal window and grace period", submit_label="Save", success="Renewal policy saved.",
        act=lambda f: services.renewal_policy_update(actor=request.user, **f.cleaned_data),
    )


@membership_staff_required
def notice_rule_add(request):
    form = NoticeRuleForm(_posted(request))
    return _simple_form_page(
        request, form, title="Add a renewal notice", submit_label="Add notice", success="Renewal notice added.",
        act=lambda f: services.notice_rule_add(actor=request.user, **f.cleaned_data),
    )


@membership_staff_required
def notice_rule_toggle(request, rule_id):
    rule = get_object_or_404(RenewalNoticeRule.objects.select_related("category"), pk=rule_id)
    form = ConfirmForm(_posted(request))
    verb = "Turn off" if rule.is_active else "Turn on"
    return _simple_form_page(
        request, form, title=f"{verb} the renewal notice sent {rule}", submit_label=verb,
        success=f"Renewal notice turned {'off' if rule.is_active else 'on'}.",
        act=lambda f: services.notice_rule_set_active(rule=rule, is_active=not rule.is_active, actor=request.user),
    )


# --- Member on date X ----------------------------------------------------------------------------------------

@membership_staff_required
def member_on_date(request):
    form = MemberOnDateForm(request.GET or None)
    result = None
    if form.is_valid():
        member, day = form.member, form.cleaned_data["day"]
        term = selectors.term_covering(member, day)
        result = {"member": member, "day": day, "term": term, "future": day > today(),
                  "covered": term is not None and term.status == "active"}
    return render(request, "members/staff/lookup.html", {"form": form, "result": result})
