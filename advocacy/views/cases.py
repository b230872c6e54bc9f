"""The staff case pages: the list of cases the user works, the case page, and its changes.

Every case is loaded through the access kit (advocacy.views.common.staff_case): another region's case is
404 for every URL here. Each view of the page and each document download is audited, as is every change
(by the services)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from advocacy.case_panels import case_panels_for
from advocacy.forms_cases import (
    CaseDocumentForm,
    CaseEditForm,
    CloseForm,
    GrievantForm,
    NoteForm,
    ReopenForm,
    UpdateForm,
)
from advocacy.models import GrievanceCase
from advocacy.selectors.cases import (
    case_documents,
    case_notes,
    case_timeline,
    case_updates,
    next_deadline,
    staff_cases,
)
from advocacy.services.cases import (
    case_close,
    case_document_share,
    case_documents_add,
    case_grievant_add,
    case_grievant_remove,
    case_note_add,
    case_reopen,
    case_update_fields,
    case_update_post,
)
from advocacy.services.requests import AdvocacyError
from advocacy.views.common import case_worker_required, staff_case
from advocacy.views.member import _download
from mae_portal.access import get_visible_or_404
from mae_portal.audit import audit_record, audit_subjects, audit_trail_for, client_ip
from mae_portal.permissions import is_region_manager
from mae_portal.uploads import UploadRefused
from members import clock
from members.rules import members_visible_to

STATUS_FILTERS = [("", "All"), *GrievanceCase.Status.choices]


@case_worker_required
@require_GET
def case_list(request):
    status = request.GET.get("status", "")
    status = status if status in GrievanceCase.Status.values else ""
    return render(request, "advocacy/cases/list.html", {
        "cases": staff_cases(request.user, status=status)[:200], "status": status, "filters": STATUS_FILTERS})


def _page(request, case, *, status=200, **forms):
    forms = {"note_form": NoteForm(), "update_form": UpdateForm(), "document_form": CaseDocumentForm(),
             "grievant_form": GrievantForm(visible_members=members_visible_to(request.user)), **forms}
    grievants = list(case.grievants.select_related("user").order_by("legal_last_name", "pk"))
    return render(request, "advocacy/cases/detail.html", {
        "case": case, "grievants": grievants, "grievant_user_ids": {m.user_id for m in grievants if m.user_id},
        "next": next_deadline(case), "events": case_timeline(case), "notes": case_notes(case),
        "updates": case_updates(case), "documents": case_documents(case),
        "panels": case_panels_for(case, request), "may_see_audit": bool(is_region_manager(request.user)),
        **forms}, status=status)


@case_worker_required
@require_GET
def case_detail(request, pk):
    case = staff_case(request, pk)
    audit_record(actor=request.user, action="advocacy.case_viewed", obj=case, ip=client_ip(request),
                 changes={"page": "staff"})
    return _page(request, case)


@case_worker_required
def case_edit(request, pk):
    case = staff_case(request, pk)
    form = CaseEditForm(request.POST or None, instance=GrievanceCase.objects.get(pk=case.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "status" or not form.fields["status"].disabled}
        try:
            changes = case_update_fields(case=case, data=data, actor=request.user, ip=client_ip(request))
        except AdvocacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The case is updated." if changes else "Nothing was changed.")
            return redirect("advocacy:case_detail", pk=case.pk)
    return render(request, "advocacy/cases/form.html", {
        "case": case, "form": form, "title": f"Edit case {case.number}", "submit_label": "Save the case"})


@case_worker_required
def case_close_view(request, pk):
    case = staff_case(request, pk)
    if case.status == GrievanceCase.Status.CLOSED:
        messages.info(request, "The case is already closed.")
        return redirect("advocacy:case_detail", pk=case.pk)
    form = CloseForm(request.POST or None, today=clock.today())
    review = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirm" in request.POST:
            case_close(case=case, outcome=data["outcome"], remedy_obtained=data["remedy_obtained"],
                       closed_on=data["closed_on"], actor=request.user, ip=client_ip(request))
            messages.success(request, f"Case {case.number} is closed.")
            return redirect("advocacy:case_detail", pk=case.pk)
        if "edit" not in request.POST:
            review = [("Outcome", dict(GrievanceCase.Outcome.choices)[data["outcome"]]),
                      ("Remedy obtained", data["remedy_obtained"] or "None"), ("Closed on", f"{data['closed_on']:%b %-d, %Y}")]
    return render(request, "advocacy/cases/form.html", {
        "case": case, "form": form, "review": review, "title": f"Close case {case.number}", "submit_label": "Close the case",
        "review_first": True})


@case_worker_required
@require_POST
def case_reopen_view(request, pk):
    case = staff_case(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            case_reopen(case=case, reason=form.cleaned_data["reason"], today=clock.today(), actor=request.user,
                        ip=client_ip(request))
        except AdvocacyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Case {case.number} is open again.")
    else:
        messages.error(request, "Say why the case is reopened.")
    return redirect("advocacy:case_detail", pk=case.pk)


@case_worker_required
@require_POST
def case_note(request, pk):
    case = staff_case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _page(request, case, note_form=form, status=400)
    case_note_add(case=case, body=form.cleaned_data["body"], actor=request.user, ip=client_ip(request))
    messages.success(request, "The private note is saved.")
    return redirect("advocacy:case_detail", pk=case.pk)


@case_worker_required
@require_POST
def case_update(request, pk):
    case = staff_case(request, pk)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        return _page(request, case, update_form=form, status=400)
    case_update_post(case=case, body=form.cleaned_data["body"], actor=request.user, ip=client_ip(request))
    messages.success(request, "The update is shared with the member.")
    return redirect("advocacy:case_detail", pk=case.pk)


@case_worker_required
@require_POST
def case_documents_view(request, pk):
    case = staff_case(request, pk)
    form = CaseDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_documents_add(case=case, files=form.cleaned_data["documents"], shared=form.cleaned_data["shared"],
                               actor=request.user, ip=client_ip(request))
        except UploadRefused as refusal:
            form.add_error("documents", refusal.message)
        else:
            messages.success(request, "The documents are on the case.")
            return redirect("advocacy:case_detail", pk=case.pk)
    return _page(request, case, document_form=form, status=400)


@case_worker_required
@require_GET
def case_document(request, pk, document):
    case = staff_case(request, pk)
    link = get_visible_or_404(case_documents(case), document_id=document)
    return _download(request, link, subject=case)


@case_worker_required
@require_POST
def case_document_share_view(request, pk, document):
    case = staff_case(request, pk)
    link = get_visible_or_404(case_documents(case), document_id=document)
    shared = request.POST.get("shared") == "1"
    case_document_share(link=link, shared=shared, actor=request.user, ip=client_ip(request))
    messages.success(request, f"“{link.document.title}” is {'shared with the member' if shared else 'private to staff'}.")
    return redirect("advocacy:case_detail", pk=case.pk)


@case_worker_required
@require_POST
def case_grievant_add_view(request, pk):
    case = staff_case(request, pk)
    form = GrievantForm(request.POST, visible_members=members_visible_to(request.user))
    if not form.is_valid():
        return _page(request, case, grievant_form=form, status=400)
    added = case_grievant_add(case=case, member=form.member, actor=request.user, ip=client_ip(request))
    messages.success(request, f"{form.member.display_name} is {'now a grievant' if added else 'already a grievant'}.")
    return redirect("advocacy:case_detail", pk=case.pk)


@case_worker_required
@require_POST
def case_grievant_remove_view(request, pk, member):
    case = staff_case(request, pk)
    grievant = get_visible_or_404(case.grievants.all(), pk=member)
    try:
        case_grievant_remove(case=case, member=grievant, actor=request.user, ip=client_ip(request))
    except AdvocacyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{grievant.display_name} is no longer a grievant.")
    return redirect("advocacy:case_detail", pk=case.pk)


@case_worker_required
@require_GET
def case_audit(request, pk):
    """The case's audit trail (views, downloads, changes): region managers and admins only; a director
    of the region gets 403 (they may see the case, not the trail of who looked at it)."""
    case = staff_case(request, pk)
    if not is_region_manager(request.user):
        raise PermissionDenied
    entries = list(audit_trail_for(case, limit=500))
    if case.request_id:
        entries += list(audit_trail_for(case.request, limit=100))
        entries.sort(key=lambda e: (e.created_at, e.pk), reverse=True)
    return render(request, "advocacy/cases/audit.html", {"case": case, "entries": audit_subjects(entries, user=request.user)})
