"""Nominating (/esp/award/<year>/nominate/, /esp/nominations/...), letter writers' links (/esp/letters/<token>/)
and screening (/esp/awards/staff/nominations/...)."""

from django.urls import path

from esp import views_nominations as views
from esp import views_nominations_staff as staff

urlpatterns = [
    path("award/<int:year>/nominate/", views.nominate_start, name="nominate_start"),
    path("nominations/", views.my_nominations, name="my_nominations"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/autosave/", views.nomination_autosave, name="nomination_autosave"),
    path("nominations/<int:pk>/consent/request/", views.nomination_request_consent, name="nomination_request_consent"),
    path("nominations/<int:pk>/letters/upload/", views.letter_add, name="letter_add"),
    path("nominations/<int:pk>/letters/request/", views.letter_ask, name="letter_ask"),
    path("nominations/<int:pk>/submit/", views.nomination_submit, name="nomination_submit"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("nominations/<int:pk>/endorse/", views.nomination_endorse, name="nomination_endorse"),
    # The nominee, signed in.
    path("nominations/<int:pk>/respond/", views.nominee_respond, name="nominee_respond"),
    path("nominations/<int:pk>/statements/", views.nominee_statements, name="nominee_statements"),
    path("nominations/<int:pk>/statements/autosave/", views.nominee_statements_autosave, name="nominee_autosave"),
    # The nominee, by the emailed link.
    path("nominations/respond/<str:token>/", views.nominee_respond, name="nominee_respond_token"),
    path("nominations/respond/<str:token>/statements/", views.nominee_statements, name="nominee_statements_token"),
    path("nominations/respond/<str:token>/statements/autosave/", views.nominee_statements_autosave,
         name="nominee_autosave_token"),
    # A letter writer, by the emailed link.
    path("letters/<str:token>/", views.letter_upload, name="letter_upload"),
    # Awards staff.
    path("awards/staff/nominations/", staff.screening_cycles, name="screening_cycles"),
    path("awards/staff/nominations/<int:year>/", staff.screening_list_view, name="screening_list"),
    path("awards/staff/nominations/<int:year>/<int:pk>/", staff.screening_detail, name="screening_detail"),
    path("awards/staff/nominations/<int:year>/<int:pk>/recheck/", staff.screening_recheck, name="screening_recheck"),
]
