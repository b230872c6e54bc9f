"""The member's side: asking for help, and their own requests and cases.

Everything here reads through the member selectors (advocacy.selectors.cases.member_*), which return only
what is shared with the member and what they sent: no private note or private document reaches a page here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from advocacy.forms_cases import HelpRequestForm, MemberDocumentForm, ReplyForm
from advocacy.models import CaseDeadline, CaseDocument
from advocacy.rules import requests_of_member
from advocacy.selectors.cases import (
    case_updates,
    member_case_documents,
    member_case_events,
    member_cases,
    next_deadline,
)
from advocacy.selectors.requests import own_requests, request_documents
from advocacy.services.cases import case_documents_add, case_reply_post
from advocacy.services.requests import AdvocacyError, member_of, request_submit
from advocacy.views.common import member_case
from mae_portal.access import get_visible_or_404
from mae_portal.audit import audit_record, client_ip
from mae_portal.uploads import UploadRefused
from mae_portal.views import document_download
from members import clock


@login_required
def help_request(request):
    """Ask for help: anyone signed in, member or not."""
    member = member_of(request.user)
    initial = {}
    if member is not None and member.employer_district_id:
        initial = {"district": member.employer_district_id, "worksite": member.worksite_id,
                   "supervisor": ""}
    form = HelpRequestForm(request.POST or None, request.FILES or None, initial=initial, today=clock.today())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = request_submit(
                requester=request.user, district=data["district"], worksite=data["worksite"],
                supervisor=data["supervisor"], summary=data["summary"], what_happened=data["what_happened"],
                incident_date=data["incident_date"], witnesses=data["witnesses"], outcome_sought=data["outcome_sought"],
                urgency=data["urgency"], files=data["documents"], submission_key=data["submission_key"],
                ip=client_ip(request))
        except UploadRefused as refusal:
            form.add_error("documents", refusal.message)
        except AdvocacyError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("advocacy:help_sent", pk=made.pk)
    return render(request, "advocacy/member/help.html", {"form": form, "member": member})


@login_required
@require_GET
def help_worksites(request):
    """The worksite field for the chosen district (htmx swaps it in)."""
    form = HelpRequestForm(initial={"district": request.GET.get("district", ""),
                                    "worksite": request.GET.get("worksite", "")}, today=clock.today())
    return render(request, "advocacy/member/_worksite_field.html", {"form": form})


@login_required
@require_GET
def help_sent(request, pk):
    """The confirmation: what was sent, to whom, and what their status was on the incident date."""
    made = get_visible_or_404(requests_of_member(request.user).select_related("region", "district", "worksite"), pk=pk)
    return render(request, "advocacy/member/help_sent.html",
                  {"made": made, "documents": request_documents(made)})


@login_required
@require_GET
def my_cases(request):
    cases = list(member_cases(request.user))
    _next_dates(cases)
    return render(request, "advocacy/member/my_cases.html", {
        "requests": own_requests(request.user), "cases": cases})


def _next_dates(cases):
    """The next date of each case in one query (the earliest open deadline, by the date that counts)."""
    by_case = {}
    for deadline in CaseDeadline.objects.filter(case__in=[c.pk for c in cases], status=CaseDeadline.Status.OPEN):
        if deadline.case_id not in by_case or deadline.due < by_case[deadline.case_id]:
            by_case[deadline.case_id] = deadline.due
    for case in cases:
        case.next = by_case.get(case.pk)


@login_required
@require_GET
def my_case(request, pk):
    case = member_case(request, pk)
    audit_record(actor=request.user, action="advocacy.case_viewed", obj=case, ip=client_ip(request),
                 changes={"page": "member"})
    return render(request, "advocacy/member/case.html", _case_context(request, case))


def _case_context(request, case, *, reply_form=None, document_form=None):
    return {
        "case": case, "grievants": case.grievants.all(), "next": next_deadline(case),
        "events": member_case_events(case).select_related("step"),
        "updates": case_updates(case), "documents": member_case_documents(case, request.user),
        "reply_form": reply_form or ReplyForm(), "document_form": document_form or MemberDocumentForm(),
    }


@login_required
@require_POST
def my_case_reply(request, pk):
    case = member_case(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render(request, "advocacy/member/case.html", _case_context(request, case, reply_form=form), status=400)
    case_reply_post(case=case, body=form.cleaned_data["body"], actor=request.user, ip=client_ip(request))
    messages.success(request, "Your reply was sent to your director.")
    return redirect("advocacy:my_case", pk=case.pk)


@login_required
@require_POST
def my_case_documents(request, pk):
    case = member_case(request, pk)
    form = MemberDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_documents_add(case=case, files=form.cleaned_data["documents"], shared=False, actor=request.user,
                               ip=client_ip(request))
        except UploadRefused as refusal:
            form.add_error("documents", refusal.message)
        else:
            messages.success(request, "Your documents were added to the case.")
            return redirect("advocacy:my_case", pk=case.pk)
    return render(request, "advocacy/member/case.html", _case_context(request, case, document_form=form), status=400)


@login_required
@require_GET
def my_case_document(request, pk, document):
    """A document of the member's case, through the core's download door, audited."""
    case = member_case(request, pk)
    link = get_visible_or_404(member_case_documents(case, request.user), document_id=document)
    return _download(request, link, subject=case)


def _download(request, link: CaseDocument, *, subject):
    """Through the core's download door, whose `on_open` hook records the view (advocacy.portal)."""
    return document_download(request, link.document_id)
