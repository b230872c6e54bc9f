"""/advocacy/...: the deadline engine's pages (events, deadlines, overrides, extensions) and the case types."""

from django.urls import path

from advocacy.views import deadlines

urlpatterns = [
    path("cases/<int:pk>/events/new/", deadlines.case_event_new, name="case_event_new"),
    path("cases/<int:pk>/deadlines/", deadlines.case_deadlines, name="case_deadlines"),
    path("cases/<int:pk>/deadlines/<int:deadline_pk>/override/", deadlines.deadline_override,
         name="deadline_override"),
    path("cases/<int:pk>/deadlines/<int:deadline_pk>/extension/", deadlines.deadline_extension,
         name="deadline_extension"),
    path("cases/<int:pk>/deadlines/<int:deadline_pk>/missed/", deadlines.deadline_missed, name="deadline_missed"),
    path("case-types/", deadlines.case_types, name="case_types"),
    path("case-types/<int:pk>/", deadlines.case_type_detail, name="case_type_detail"),
]
