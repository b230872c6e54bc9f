"""/advocacy/...: each area of the app keeps its own URL module; all share the "advocacy" namespace."""

from django.urls import include, path

app_name = "advocacy"

urlpatterns = [
    path("", include("advocacy.urls_cases")),  # asking for help, my cases, intake queue, case pages
    path("", include("advocacy.urls_deadlines")),  # events, deadlines, overrides, extensions
    path("", include("advocacy.urls_reports")),  # caseload, manager reports, letters, iCal feeds
]
