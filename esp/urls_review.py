"""Review, results and decisions: the reviewer's pages under review/, awards staff's under awards/staff/review/."""

from django.urls import path

from esp import views_results, views_review, views_review_staff

S = "awards/staff/review/"

urlpatterns = [
    path("review/", views_review.review_queue, name="review_queue"),
    path("review/cycles/<int:cycle_pk>/conflicts/", views_review.review_conflicts, name="review_conflicts"),
    path("review/<int:pk>/", views_review.review_detail, name="review_detail"),
    path("review/<int:pk>/letters/<int:letter_pk>/", views_review.review_letter, name="review_letter"),
    path("review/<int:pk>/photo/", views_review.review_photo, name="review_photo"),
    path("review/<int:pk>/others/", views_review.review_others, name="review_others"),

    path(S, views_review_staff.staff_review_cycles, name="staff_review_cycles"),
    path(f"{S}cycles/<int:cycle_pk>/", views_review_staff.staff_review_cycle, name="staff_review_cycle"),
    path(f"{S}cycles/<int:cycle_pk>/blind/", views_review_staff.staff_blind_settings, name="staff_blind_settings"),
    path(f"{S}cycles/<int:cycle_pk>/conflicts/", views_review_staff.staff_conflicts, name="staff_conflicts"),
    path(f"{S}cycles/<int:cycle_pk>/assign/", views_review_staff.staff_auto_assign, name="staff_auto_assign"),
    path(f"{S}cycles/<int:cycle_pk>/close/", views_review_staff.staff_round_close, name="staff_round_close"),
    path(f"{S}cycles/<int:cycle_pk>/results/", views_results.staff_results, name="staff_results"),
    path(f"{S}cycles/<int:cycle_pk>/finalists/", views_results.staff_finalists, name="staff_finalists"),
    path(f"{S}cycles/<int:cycle_pk>/winner/", views_results.staff_winner, name="staff_winner"),
    path(f"{S}cycles/<int:cycle_pk>/packet/", views_results.staff_packet, name="staff_packet"),
    path(f"{S}cycles/<int:cycle_pk>/audit/", views_results.staff_cycle_audit, name="staff_cycle_audit"),
    path(f"{S}nominations/<int:pk>/", views_review_staff.staff_nomination_review, name="staff_nomination_review"),
    path(f"{S}nominations/<int:pk>/assignments/<int:assignment_pk>/remove/", views_review_staff.staff_assignment_remove,
         name="staff_assignment_remove"),
    path(f"{S}nominations/<int:pk>/redact/", views_review_staff.staff_redaction, name="staff_redaction"),
    path(f"{S}nominations/<int:pk>/letters/<int:letter_pk>/redacted/", views_review_staff.staff_letter_redaction,
         name="staff_letter_redaction"),
]
