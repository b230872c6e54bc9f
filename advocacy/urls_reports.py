"""Letters, caseload, manager reports and calendar feeds (the "advocacy" namespace)."""

from django.urls import path

from advocacy.views import caseload, feeds, letters, reports

urlpatterns = [
    path("cases/<int:pk>/letters/", letters.case_letters, name="case_letters"),
    path("cases/<int:pk>/letters/new/", letters.letter_new, name="letter_new"),
    path("cases/<int:pk>/letters/<int:letter_pk>/", letters.letter_edit, name="letter_edit"),
    path("cases/<int:pk>/letters/<int:letter_pk>/preview/", letters.letter_preview, name="letter_preview"),
    path("cases/<int:pk>/letters/<int:letter_pk>/final/", letters.letter_finalise, name="letter_finalise"),
    path("letter-templates/", letters.letter_templates, name="letter_templates"),
    path("letter-templates/new/", letters.letter_template_edit, name="letter_template_new"),
    path("letter-templates/<int:template_pk>/", letters.letter_template_edit, name="letter_template_edit"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("caseload/export.csv", caseload.caseload_export, name="caseload_export"),
    path("reports/", reports.manager_reports, name="manager_reports"),
    path("feeds/", feeds.feed_settings, name="feed_settings"),
    path("feeds/<slug:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
