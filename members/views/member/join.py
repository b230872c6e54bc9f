"""Joining: who you are, your category, how you pay, and the authorization for bank drafts."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from mae_portal.audit import client_ip
from members import clock, dues
from members.forms.join import CategoryForm, JoinProfileForm, PlanForm
from members.models import District, Member, PaymentPlan
from members.reference_cache import cached_markup
from members.selectors.terms import member_renewable_term
from members.services.authorization import authorization_for
from members.services.errors import MembershipError
from members.services.join import member_create_or_update_for_join, membership_join
from members.services.quotes import membership_quote, suggest_category
from members.views.member.common import (
    _categories_with_rates,
    _category_or_none,
    _checkout,
    _draft_request,
    _join_guard,
    _member,
    _member_or_join,
    _options,
    _pay_schedule_label,
    _preview,
    _resubmitted,
    _signature,
    _signed_form,
)


@login_required
def join(request):
    """Step 1: who you are and where you work. Creates the member record or updates the one there is."""
    today = clock.today()
    if request.method == "GET" and not _has_member_record(request.user.pk):
        # the empty page, the same for everyone but for their name (a cheap check first: most have no record)
        intro, fields = _empty_join_form(first_name=request.user.first_name, last_name=request.user.last_name,
                                         today=today)
        return render(request, "members/membership/join_profile.html", {
            "intro_markup": intro, "form_markup": fields, "member": None, "step": 1,
        })
    member = _member(request.user)
    if member is not None and (guard := _join_guard(request, member)):
        return guard
    instance = member or Member(legal_first_name=request.user.first_name, legal_last_name=request.user.last_name)
    form = JoinProfileForm(request.POST or None, instance=instance, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            member_create_or_update_for_join(user=request.user, data=form.cleaned_data, actor=request.user,
                                                      ip=client_ip(request))
        except MembershipError as exc:
            form.add_error("worksite", str(exc))
        else:
            return redirect("members:join_category")
    return render(request, "members/membership/join_profile.html", {
        "form": form, "member": member, "districts": District.objects.values_list("name", flat=True), "step": 1,
    })


# Whether a user has a member record: on every visit to the join form, written once (the ORM would build it each time).
HAS_MEMBER_SQL = (f'SELECT 1 FROM "{Member._meta.db_table}" '
                  f'WHERE "{Member._meta.get_field("user").column}" = %s LIMIT 1')


def _has_member_record(user_id) -> bool:
    """Member.objects.filter(user_id=user_id).exists()."""
    with connection.cursor() as cursor:
        cursor.execute(HAS_MEMBER_SQL, [user_id])
        return cursor.fetchone() is not None


# The empty join form's markup is kept with these in the name fields, then each visitor's name put in their place.
NAME_MARKS = {"first": "mae-join-first-name-3e9b1c", "last": "mae-join-last-name-3e9b1c"}


def _empty_join_form(*, first_name: str, last_name: str, today) -> tuple[SafeString, SafeString]:
    """The join page's heading, steps and error summary (none), and the form's fields after its CSRF token (rendered
    per request by the page), for someone with no member record: kept per reference version
    (members.reference_cache) and day (the hire date's max)."""

    def build():
        instance = Member(legal_first_name=NAME_MARKS["first"], legal_last_name=NAME_MARKS["last"])
        intro = render_to_string("members/membership/_join_profile_intro.html", {"member": None, "step": 1})
        fields = render_to_string("members/membership/_join_profile_form.html", {
            "form": JoinProfileForm(instance=instance, today=today),
            "districts": District.objects.values_list("name", flat=True),
        })
        return intro, fields

    intro, fields = cached_markup("members:join-page", day=today, build=build)
    for mark, name in ((NAME_MARKS["first"], first_name), (NAME_MARKS["last"], last_name)):
        # what the widget renders: no value attribute for an empty one, else the escaped value
        fields = fields.replace(f' value="{mark}"', f' value="{conditional_escape(name)}"' if name else "")
    # rendered by the template engine; the names escaped above
    return mark_safe(intro), mark_safe(fields)  # noqa: S308


@login_required
@require_GET
def join_worksites(request):
    """The worksite field for the district typed so far (htmx swaps it in as the member types)."""
    form = JoinProfileForm(initial={"employer_district": request.GET.get("employer_district", ""),
                                    "worksite": request.GET.get("worksite", "")}, today=clock.today())
    return render(request, "members/membership/_worksite_field.html", {"form": form})


@login_required
def join_category(request):
    """Step 2: the category the profile points to, with the others to choose from."""
    member = _member_or_join(request)
    if member is None:
        return redirect("members:join")
    if guard := _join_guard(request, member):
        return guard
    suggested = suggest_category(member)
    form = CategoryForm(request.POST or None, initial={"category": suggested.code if suggested else None})
    if request.method == "POST" and form.is_valid():
        return redirect(f"{reverse('members:join_plan')}?{urlencode({'category': form.cleaned_data['category'].code})}")
    options = _options(form["category"], _categories_with_rates(clock.today()), suggested)
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
    day = clock.today()
    try:
        quote = membership_quote(category=category, today=day)
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("members:join_category")
    form = PlanForm(request.POST or None, installments_allowed=category.allows_installments,
                    initial={"plan_kind": PaymentPlan.Kind.ANNUAL, "draft_day": 1})
    if request.method == "POST" and form.is_valid():
        kind, draft_day = form.cleaned_data["plan_kind"], form.cleaned_data["draft_day"]
        if kind == PaymentPlan.Kind.ANNUAL:
            return _join_and_checkout(request, member=member, category=category, plan_kind=kind, draft_day=1,
                                      authorization=None, token=form.cleaned_data["token"])
        query = urlencode({"category": category.code, "plan": kind, "draft_day": draft_day})
        return redirect(f"{reverse('members:join_authorize')}?{query}")
    return render(request, "members/membership/join_plan.html",
                  {"form": form, "quote": quote, "member": member, "step": 3, "year_label": dues.year_label(quote.membership_year),
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
        payment = membership_join(
            member=member, category=category, plan_kind=plan_kind, draft_day=draft_day, authorization=authorization,
            actor=request.user, today=clock.today(), form_token=token, renewal_of=renewal_of, ip=client_ip(request),
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
    day = clock.today()
    renewal_of = None
    if renewal:
        renewal_of = member_renewable_term(member, today=day)
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
        quote = membership_quote(category=category, today=day, renewal_of=renewal_of)
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard")
    schedule = _preview(member, kind=kind, draft_day=draft_day, start=quote.start, end=quote.end, amount=quote.amount,
                        day=day)
    authorization = authorization_for(
        member=member, category=category, year_label=dues.year_label(quote.membership_year), start=quote.start,
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
