"""Helpers of the membership staff pages: the staff-only decorator, loading objects, the confirm-then-act page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from mae_portal.access import get_visible_or_404
from mae_portal.permissions import is_membership_staff
from members.rules import members_visible_to
from members.services.errors import MembershipError


def membership_staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_membership_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _member(request, member_number):
    return get_visible_or_404(
        members_visible_to(request.user).select_related("user", "local", "employer_district__region", "worksite",
                                                        "career_field"),
        member_number=member_number,
    )


def _term(member, term_id):
    return get_visible_or_404(member.terms.select_related("category", "plan", "member"), pk=term_id)


def _payment(member, payment_id):
    return get_visible_or_404(member.payments.select_related("term__category"), pk=payment_id)


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
            except MembershipError as error:
                messages.error(request, str(error))
        elif "edit" not in request.POST:
            return render(request, "members/staff/action.html", {**page, "review": review(form)})
    return render(request, "members/staff/action.html", page)


def _simple_form_page(request, form, *, title, submit_label, act, success, context=None):
    if request.method == "POST" and form.is_valid():
        try:
            act(form)
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success)
            return redirect("members:staff_categories")
    return render(request, "members/staff/action.html", {
        "form": form, "title": title, "submit_label": submit_label, "direct": True,
        "cancel_url": "members:staff_categories", **(context or {}),
    })
