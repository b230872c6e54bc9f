"""What the advocacy app plugs into the core (mae_portal/registry.py); called from AdvocacyConfig.ready().

Each area of the app adds its own registrations here (nav links, panels, document kinds, audit actions,
group permissions, periodic jobs)."""

from mae_portal import registry

# --- asking for help, intake and case pages (the "cases" area) ---------------------------------------------

CASE_AUDIT_ACTIONS = {
    "advocacy.request_submitted": "Request for help sent",
    "advocacy.request_viewed": "Request viewed",
    "advocacy.request_accepted": "Request accepted",
    "advocacy.request_declined": "Request declined",
    "advocacy.request_referred": "Referred to an attorney",
    "advocacy.claim_opened": "Liability claim opened",
    "advocacy.case_opened": "Case opened",
    "advocacy.case_viewed": "Case page viewed",
    "advocacy.case_changed": "Case changed",
    "advocacy.case_closed": "Case closed",
    "advocacy.case_reopened": "Case reopened",
    "advocacy.grievant_added": "Grievant added",
    "advocacy.grievant_removed": "Grievant removed",
    "advocacy.note_added": "Private note added",
    "advocacy.update_posted": "Shared update posted",
    "advocacy.reply_posted": "Member replied",
    "advocacy.document_added": "Case document added",
    "advocacy.document_shared": "Case document shared with the member",
    "advocacy.document_unshared": "Case document made private",
    "advocacy.document_downloaded": "Case document opened",
}


def _case_of(obj):
    return obj.case


def _document_subject(link):
    return link.case if link.case_id else link.request


def _case_link(case, user):
    from django.urls import reverse

    from advocacy.rules import cases_for_staff

    return reverse("advocacy:case_detail", args=[case.pk]) if cases_for_staff(user).filter(pk=case.pk).exists() else None


def _may_ask_for_help(user) -> bool:
    """Anyone signed in may ask, member or not; staff at work are not the audience of the menu link."""
    from mae_portal.permissions import works_for_mae

    return user.is_authenticated and not works_for_mae(user)


def _works_cases(user) -> bool:
    from advocacy.rules import works_cases

    return works_cases(user)


def _intake_panel(request):
    from advocacy.selectors.requests import intake_queue

    return {"advocacy_new_requests": intake_queue(request.user).count()}


def _register_cases():
    from advocacy.models import CaseDocument, CaseEvent, CaseNote, CaseUpdate, GrievanceCase
    from advocacy.rules import case_documents_scope
    from mae_portal.audit import register_audit_actions, register_audit_subject, register_audit_subject_link
    from mae_portal.documents import DocumentKind, register_document_kind

    register_document_kind(DocumentKind(
        name="case-document", label="Case document", visible_to=case_documents_scope))
    register_audit_actions(CASE_AUDIT_ACTIONS)
    for model in (CaseNote, CaseUpdate, CaseEvent):
        register_audit_subject(model, _case_of)
    register_audit_subject(CaseDocument, _document_subject)
    register_audit_subject_link(GrievanceCase, _case_link)

    registry.register_nav_link("advocacy:help", label="Get help", order=45, visible=_may_ask_for_help)
    registry.register_nav_link("advocacy:intake_queue", label="Intake", order=70, visible=_works_cases)
    registry.register_nav_link("advocacy:case_list", label="Cases", order=71, visible=_works_cases)
    registry.register_dashboard_panel("advocacy-help", template="advocacy/dashboard/_help.html",
                                      visible=_may_ask_for_help, order=30)
    registry.register_dashboard_panel("advocacy-intake", template="advocacy/dashboard/_intake.html",
                                      context=_intake_panel, visible=_works_cases, order=6)


def register():
    registry.register_panel("home.cards", "advocacy", template="advocacy/home/_card.html", order=20)
    _register_cases()
