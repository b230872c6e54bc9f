"""The intake queue of UniServ directors (their region) and region managers (every region).

Each decision is a form, then a review of what will happen, then the service: accept (opens a case),
decline with a reason the member reads, refer to the attorney referral program, open a liability claim.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from advocacy.forms_intake import AcceptForm, ClaimForm, DeclineForm, ReferForm
from advocacy.models import RepresentationRequest
from advocacy.selectors.requests import intake_queue, intake_request, request_documents
from advocacy.services.requests import (
    AdvocacyError,
    referral_allowance,
    request_accept,
    request_decline,
    request_open_claim,
    request_refer,
    suggested_case_type,
)
from advocacy.views.common import case_worker_required
from advocacy.views.member import _download
from mae_portal.access import get_visible_or_404
from mae_portal.audit import audit_record, client_ip
from mae_portal.permissions import is_region_manager
from members import clock

STATUS_TABS = [(RepresentationRequest.Status.NEW, "New"), (RepresentationRequest.Status.ACCEPTED, "Accepted"),
               (RepresentationRequest.Status.DECLINED, "Declined"), (RepresentationRequest.Status.REFERRED, "Referred"),
               (RepresentationRequest.Status.CLAIM, "Liability claims")]


@case_worker_required
@require_GET
def queue(request):
    status = request.GET.get("status", RepresentationRequest.Status.NEW)
    if status not in dict(STATUS_TABS):
        status = RepresentationRequest.Status.NEW
    return render(request, "advocacy/intake/queue.html", {
        "requests": intake_queue(request.user, status=status), "status": status, "tabs": STATUS_TABS,
        "status_label": dict(STATUS_TABS)[status]})


def _request(request, pk):
    return get_visible_or_404(intake_request(request.user), pk=pk)


def _allowance(made):
    return referral_allowance(made.member, today=clock.today()) if made.member_id else None


@case_worker_required
@require_GET
def detail(request, pk):
    made = _request(request, pk)
    audit_record(actor=request.user, action="advocacy.request_viewed", obj=made, ip=client_ip(request))
    return render(request, "advocacy/intake/detail.html", {
        "made": made, "documents": request_documents(made), "allowance": _allowance(made),
        "case": getattr(made, "case", None) if made.status == RepresentationRequest.Status.ACCEPTED else None,
        "suggested": suggested_case_type(made.member, made.district)})


@case_worker_required
@require_GET
def document(request, pk, document):
    made = _request(request, pk)
    link = get_visible_or_404(request_documents(made), document_id=document)
    return _download(request, link, subject=made)


def _decision(request, made, form, *, title, submit_label, review, act, danger=False, intro=""):
    """The form, then "check, then confirm" (the values travel as hidden fields), then the service. A
    refusal becomes an error over the form and nothing is stored."""
    page = {"form": form, "made": made, "title": title, "submit_label": submit_label, "danger": danger, "intro": intro}
    if made.status != RepresentationRequest.Status.NEW:
        messages.info(request, f"This request was already answered: {made.get_status_display().lower()}.")
        return redirect("advocacy:intake_detail", pk=made.pk)
    if request.method == "POST" and form.is_valid():
        if "confirm" in request.POST:
            try:
                return act(form)
            except AdvocacyError as exc:
                form.add_error(None, str(exc))
        elif "edit" not in request.POST:
            page["review"] = review(form.cleaned_data)
    return render(request, "advocacy/intake/decision.html", page)


def _posted(request):
    return request.POST if request.method == "POST" else None


@case_worker_required
def accept(request, pk):
    made = _request(request, pk)
    suggested = suggested_case_type(made.member, made.district)
    initial = {"case_type": suggested, "title": made.summary, "filed_on": clock.today()}
    form = AcceptForm(_posted(request), initial=initial, request=made, today=clock.today())
    if form.fields["director"].queryset.filter(pk=request.user.pk).exists():
        form.initial["director"] = request.user.pk

    def act(form):
        data = form.cleaned_data
        case = request_accept(request_id=made.pk, actor=request.user, case_type=data["case_type"], title=data["title"],
                              issue_category=data["issue_category"], director=data["director"],
                              filed_on=data["filed_on"], ip=client_ip(request))
        messages.success(request, f"Case {case.number} is open.")
        return redirect("advocacy:case_detail", pk=case.pk)

    def review(data):
        return [("Request", made.summary), ("Case type", data["case_type"]),
                ("Suggested type", suggested or "None"), ("Title", data["title"]),
                ("Issue category", data["issue_category"]), ("Director", data["director"].email),
                ("Filing date", f"{data['filed_on']:%b %-d, %Y}"), ("Membership on the incident date", made.membership_note)]

    return _decision(request, made, form, title="Accept the request: open a case", submit_label="Open the case",
                     review=review, act=act,
                     intro=f"Suggested case type: {suggested}." if suggested else "")


@case_worker_required
def decline(request, pk):
    made = _request(request, pk)
    form = DeclineForm(_posted(request))

    def act(form):
        request_decline(request_id=made.pk, actor=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request))
        messages.success(request, "The request is declined; the member was told by email to read the reason.")
        return redirect("advocacy:intake_queue")

    return _decision(request, made, form, title="Decline the request", submit_label="Decline", danger=True, act=act,
                     review=lambda data: [("Request", made.summary), ("Reason the member reads", data["reason"])])


@case_worker_required
def refer(request, pk):
    made = _request(request, pk)
    may_exceed = bool(is_region_manager(request.user))
    form = ReferForm(_posted(request), may_exceed=may_exceed)
    allowance = _allowance(made)

    def act(form):
        data = form.cleaned_data
        request_refer(request_id=made.pk, actor=request.user, attorney=data["attorney"], notes=data["notes"],
                      today=clock.today(), beyond_limit_reason=data.get("beyond_limit_reason", ""), ip=client_ip(request))
        messages.success(request, "The member is referred to the attorney referral program.")
        return redirect("advocacy:intake_queue")

    intro = (f"Free consultations in {allowance.year_label}: {allowance.label}." if allowance
             else "This person has no member record: the attorney referral program is a member benefit.")
    return _decision(request, made, form, title="Refer to the attorney referral program", submit_label="Refer",
                     act=act, intro=intro, review=lambda data: [
                         ("Request", made.summary), ("Attorney", data["attorney"] or "Not named yet"),
                         ("Free consultations", allowance.label if allowance else "No member record"),
                         *([("Beyond the limit because", data["beyond_limit_reason"])] if data.get("beyond_limit_reason") else [])])


@case_worker_required
def claim(request, pk):
    made = _request(request, pk)
    form = ClaimForm(_posted(request))

    def act(form):
        opened = request_open_claim(request_id=made.pk, actor=request.user, notes=form.cleaned_data["notes"],
                                    ip=client_ip(request))
        messages.success(request, "The liability claim is open" + ("." if opened.covered else ": NOT covered (not a member on the incident date)."))
        return redirect("advocacy:intake_queue")

    return _decision(request, made, form, title="Open a liability claim", submit_label="Open the claim", act=act,
                     intro=made.membership_note, review=lambda data: [
                         ("Request", made.summary), ("Incident date", f"{made.incident_date:%b %-d, %Y}"),
                         ("Covered", "Yes" if made.membership_on_incident == "member" else "No: " + made.membership_note)])
