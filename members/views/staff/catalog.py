"""Categories, dues rates, the renewal policy and renewal notices."""

from django.shortcuts import render

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members import clock
from members.forms.staff import (
    CategoryCreateForm,
    CategoryForm,
    ConfirmForm,
    DuesRateForm,
    NoticeRuleForm,
    RenewalPolicyForm,
)
from members.models import MembershipCategory, RenewalNoticeRule, RenewalPolicy
from members.services import catalog
from members.services.catalog import (
    category_create,
    category_update,
    dues_rate_add,
    notice_rule_set_active,
    renewal_policy_update,
)
from members.views.staff.common import _posted, _simple_form_page, membership_staff_required


@membership_staff_required
def categories(request):
    day = clock.today()
    category_list = list(MembershipCategory.objects.prefetch_related("rates").order_by("sort_order", "name"))
    for category in category_list:
        rates = list(category.rates.all())  # newest first (model ordering)
        category.rate_rows = rates
        category.rate_now = next((r for r in rates if r.effective_from <= day), None)
    return render(request, "members/staff/categories.html", {
        "categories": category_list, "policy": RenewalPolicy.current(), "today": day,
        "rules": RenewalNoticeRule.objects.select_related("category").order_by("offset_days", "category__name"),
    })


@membership_staff_required
def category_add(request):
    form = CategoryCreateForm(_posted(request), initial={"effective_from": clock.today(), "proration": "monthly"})
    return _simple_form_page(
        request, form, title="Add a membership category", submit_label="Add category", success="Category added.",
        act=lambda f: category_create(data=f.category_data(), first_rate=f.rate_data(), actor=request.user, ip=client_ip(request)),
    )


@membership_staff_required
def category_edit(request, code):
    category = get_visible_or_404(MembershipCategory.objects, code=code)
    form = CategoryForm(_posted(request), instance=category)
    return _simple_form_page(
        request, form, title=f"Edit the {category} category", submit_label="Save", success="Category saved.",
        act=lambda f: category_update(
            category=category, data={name: f.cleaned_data[name] for name in CategoryForm.Meta.fields}, actor=request.user, ip=client_ip(request)),
    )


@membership_staff_required
def rate_add(request, code):
    category = get_visible_or_404(MembershipCategory.objects, code=code)
    form = DuesRateForm(_posted(request), category=category)
    return _simple_form_page(
        request, form, title=f"Add a dues rate for {category}", submit_label="Add rate", success="Dues rate added.",
        act=lambda f: dues_rate_add(category=category, actor=request.user, ip=client_ip(request), **f.cleaned_data),
        context={"intro": "Memberships already made keep their dues; new ones starting on or after the date use this rate."},
    )


@membership_staff_required
def renewal_policy_edit(request):
    form = RenewalPolicyForm(_posted(request), instance=RenewalPolicy.current())
    return _simple_form_page(
        request, form, title="Renewal window and grace period", submit_label="Save", success="Renewal policy saved.",
        act=lambda f: renewal_policy_update(actor=request.user, ip=client_ip(request), **f.cleaned_data),
    )


@membership_staff_required
def notice_rule_add(request):
    form = NoticeRuleForm(_posted(request))
    return _simple_form_page(
        request, form, title="Add a renewal notice", submit_label="Add notice", success="Renewal notice added.",
        act=lambda f: catalog.notice_rule_add(actor=request.user, ip=client_ip(request), **f.cleaned_data),
    )


@membership_staff_required
def notice_rule_toggle(request, rule_id):
    rule = get_visible_or_404(RenewalNoticeRule.objects.select_related("category"), pk=rule_id)
    form = ConfirmForm(_posted(request))
    verb = "Turn off" if rule.is_active else "Turn on"
    return _simple_form_page(
        request, form, title=f"{verb} the renewal notice sent {rule}", submit_label=verb,
        success=f"Renewal notice turned {'off' if rule.is_active else 'on'}.",
        act=lambda f: notice_rule_set_active(rule=rule, is_active=not rule.is_active, actor=request.user, ip=client_ip(request)),
    )
