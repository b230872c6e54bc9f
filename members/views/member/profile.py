"""The member's profile and the PDF copy of their record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mae_portal.audit import client_ip
from members.forms.profile import ProfileForm
from members.services.profile import member_record_pdf_request, member_update_profile


@login_required
def profile(request):
    member = getattr(request.user, "member", None)
    if member is None:
        return render(request, "members/no_member.html")
    form = ProfileForm(request.POST or None, instance=member)
    if request.method == "POST":
        if form.is_valid():
            member_update_profile(
                member=member, actor=request.user, data=form.cleaned_data, ip=client_ip(request)
            )
            messages.success(request, "Your profile is saved.")
            return redirect("members:profile")
        messages.error(request, "Your profile was not saved. Please correct the fields marked below.")
    return render(request, "members/profile.html", {"form": form, "member": member})


@require_POST
@login_required
def request_record_pdf(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise PermissionDenied
    member_record_pdf_request(member=member, actor=request.user)
    messages.success(request, "We are preparing a PDF copy of your record. It appears under Documents when ready.")
    return redirect("dashboard")
