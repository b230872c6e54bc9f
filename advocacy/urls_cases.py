"""Asking for help, the member's cases, the intake queue and the staff case pages (namespace "advocacy")."""

from django.urls import path

from advocacy.views import cases, intake, member

urlpatterns = [
    # The member's side
    path("help/", member.help_request, name="help"),
    path("help/worksites/", member.help_worksites, name="help_worksites"),
    path("help/sent/<int:pk>/", member.help_sent, name="help_sent"),
    path("my-cases/", member.my_cases, name="my_cases"),
    path("my-cases/<int:pk>/", member.my_case, name="my_case"),
    path("my-cases/<int:pk>/reply/", member.my_case_reply, name="my_case_reply"),
    path("my-cases/<int:pk>/documents/", member.my_case_documents, name="my_case_documents"),
    path("my-cases/<int:pk>/documents/<uuid:document>/", member.my_case_document, name="my_case_document"),
    # Intake
    path("intake/", intake.queue, name="intake_queue"),
    path("intake/<int:pk>/", intake.detail, name="intake_detail"),
    path("intake/<int:pk>/documents/<uuid:document>/", intake.document, name="intake_document"),
    path("intake/<int:pk>/accept/", intake.accept, name="intake_accept"),
    path("intake/<int:pk>/decline/", intake.decline, name="intake_decline"),
    path("intake/<int:pk>/refer/", intake.refer, name="intake_refer"),
    path("intake/<int:pk>/claim/", intake.claim, name="intake_claim"),
    # Case pages (events/, deadlines/ and letters/ of a case live in the other URL modules)
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case_edit"),
    path("cases/<int:pk>/close/", cases.case_close_view, name="case_close"),
    path("cases/<int:pk>/reopen/", cases.case_reopen_view, name="case_reopen"),
    path("cases/<int:pk>/notes/", cases.case_note, name="case_note"),
    path("cases/<int:pk>/updates/", cases.case_update, name="case_update"),
    path("cases/<int:pk>/documents/", cases.case_documents_view, name="case_documents"),
    path("cases/<int:pk>/documents/<uuid:document>/", cases.case_document, name="case_document"),
    path("cases/<int:pk>/documents/<uuid:document>/share/", cases.case_document_share_view, name="case_document_share"),
    path("cases/<int:pk>/grievants/", cases.case_grievant_add_view, name="case_grievant_add"),
    path("cases/<int:pk>/grievants/<int:member>/remove/", cases.case_grievant_remove_view, name="case_grievant_remove"),
    path("cases/<int:pk>/audit/", cases.case_audit, name="case_audit"),
]
