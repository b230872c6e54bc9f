"""Manager reports (region managers and admins): cases filed in a period by district, worksite, supervisor,
issue category, outcome and director, each as a server-rendered SVG bar chart with its numbers in a table
beside it, and the supervisors named on case after case."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from advocacy.selectors.reports import chart_rows, manager_report, repeat_supervisors, report_cases, school_year_of
from advocacy.views.common import case_worker_required
from mae_portal.permissions import is_region_manager
from members import clock
from members.models import UniServRegion

ORDER = ["district", "worksite", "supervisor", "issue", "outcome", "director"]


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label="Filed from", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Filed until", widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.ModelChoiceField(label="Region", queryset=UniServRegion.objects.order_by("number"), required=False,
                                    empty_label="Every region")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be on or after its start.")
        return data


@require_GET
@case_worker_required
def manager_reports(request):
    if not is_region_manager(request.user):
        raise PermissionDenied
    start, end = school_year_of(clock.today())
    # The period defaults to this school year; a link may name only a region, or only one end of the period.
    form = ReportPeriodForm({"start": start.isoformat(), "end": end.isoformat(), **request.GET.dict()})
    if form.is_valid():
        start, end, region = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["region"]
    else:
        region = None
    cases = report_cases(start=start, end=end, region=region)
    report = manager_report(cases)
    breakdowns = []
    for key in ORDER:
        section = report[key]
        section["rows"], section["height"] = chart_rows(section["rows"])
        breakdowns.append(section)
    return render(request, "advocacy/reports/reports.html", {
        "form": form, "start": start, "end": end, "region": region, "breakdowns": breakdowns,
        "total": cases.count(), "repeat": repeat_supervisors(cases),
    })
