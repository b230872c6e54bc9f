"""The caseload dashboard: the cases a director (their regions) or a region manager (every region) works,
by step and status, next deadlines with the overdue first; filters; the filtered list as CSV."""

import csv

from django import forms
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from advocacy.models import GrievanceCase, IssueCategory, StepRule
from advocacy.selectors.caseload import (
    ACTIVE,
    CaseloadFilters,
    case_page_url,
    caseload_by_step,
    caseload_counts,
    caseload_list,
    caseload_page,
    directors_for,
    districts_for,
    filtered_cases,
    regions_for,
)
from advocacy.services.reports import caseload_export_audit
from advocacy.views.common import case_worker_required
from mae_portal.audit import client_ip
from members import clock

PAGE_SIZE = 50


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class _StepChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.version.case_type.name}: {obj.name}"


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(label="Case number or words of the title", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False, choices=[
        (ACTIVE, "Open and on hold"), *GrievanceCase.Status.choices, ("", "Every status")])
    director = _PersonChoice(label="Director", queryset=None, required=False, empty_label="Every director")
    region = forms.ModelChoiceField(label="Region", queryset=None, required=False, empty_label="Every region")
    district = forms.ModelChoiceField(label="District", queryset=None, required=False, empty_label="Every district")
    issue_category = forms.ModelChoiceField(label="Issue", queryset=IssueCategory.objects.all(), required=False,
                                            empty_label="Every issue")
    step = _StepChoice(label="Current step", required=False, empty_label="Every step", queryset=(
        StepRule.objects.filter(version__case_type__active=True).select_related("version__case_type")
        .order_by("version__case_type__name", "version__number", "order")))
    overdue_only = forms.BooleanField(label="Only cases with an overdue deadline", required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["director"].queryset = directors_for(user)
        self.fields["region"].queryset = regions_for(user).order_by("number")
        self.fields["district"].queryset = districts_for(user)

    def filters(self) -> CaseloadFilters:
        if not self.is_valid():
            return CaseloadFilters()
        data = self.cleaned_data
        return CaseloadFilters(status=data["status"] if "status" in self.data else ACTIVE, director=data["director"],
                               region=data["region"], district=data["district"],
                               issue_category=data["issue_category"], step=data["step"], q=data["q"],
                               overdue_only=data["overdue_only"])


def _filtered(request):
    form = CaseloadFilterForm(request.GET, user=request.user)
    today = clock.today()
    return form, filtered_cases(request.user, form.filters(), today=today), today


@require_GET
@case_worker_required
def caseload(request):
    form, cases, today = _filtered(request)
    counts = caseload_counts(cases, today=today)
    page = caseload_page(cases, today=today, number=request.GET.get("page"), per_page=PAGE_SIZE,
                         count=counts["total"])
    for case in page:
        case.url = case_page_url(case.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "advocacy/caseload/caseload.html", {
        "form": form, "page": page, "query": query.urlencode(), "today": today,
        "counts": counts, "by_step": caseload_by_step(cases),
        "statuses": GrievanceCase.Status.choices,
    })


class _Echo:
    def write(self, value):
        return value


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run: one starting with = + - @ (or a tab or carriage return, which some
    spreadsheets skip before reading a formula) gets a leading apostrophe (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _names(case) -> str:
    return "; ".join(f"{m.legal_last_name}, {m.preferred_name or m.legal_first_name}" for m in case.grievants.all())


CSV_COLUMNS = [
    ("Case number", lambda c: c.number),
    ("Title", lambda c: c.title),
    ("Status", lambda c: c.get_status_display()),
    ("Case type", lambda c: c.case_type_version.case_type.name),
    ("Current step", lambda c: c.current_step.name if c.current_step_id else ""),
    ("Next deadline", lambda c: c.next_due.isoformat() if c.next_due else ""),
    ("Next deadline step", lambda c: c.next_step or ""),
    ("Overdue", lambda c: "yes" if c.overdue else ""),
    ("Grievants", _names),
    ("Region", lambda c: c.region.name),
    ("District", lambda c: c.district.name),
    ("Worksite", lambda c: c.worksite.name if c.worksite_id else ""),
    ("Supervisor", lambda c: c.supervisor),
    ("Issue", lambda c: c.issue_category.name),
    ("Director", lambda c: c.director.get_full_name() or c.director.email),
    ("Filed on", lambda c: c.filed_on.isoformat()),
    ("Outcome", lambda c: c.get_outcome_display()),
]


@require_GET
@case_worker_required
def caseload_export(request):
    """The filtered caseload as CSV: the list's columns, no facts and never a private note."""
    form, cases, today = _filtered(request)
    rows = caseload_list(cases, today=today)
    caseload_export_audit(actor=request.user, count=cases.count(), filters=dict(request.GET.items()),
                          ip=client_ip(request))
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([name for name, _ in CSV_COLUMNS])
        for case in rows.iterator(chunk_size=500):
            yield writer.writerow([csv_safe(get(case)) for _, get in CSV_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mae-caseload-{today.isoformat()}.csv"'
    return response
