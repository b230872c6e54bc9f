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
        name="case-document", label="Case document", visible_to=case_documents_scope, on_open=_case_document_opened))
    register_audit_actions(CASE_AUDIT_ACTIONS)
    for model in (CaseNote, CaseUpdate, CaseEvent):
        register_audit_subject(model, _case_of)
    register_audit_subject(CaseDocument, _document_subject)
    register_audit_subject_link(GrievanceCase, _case_link)

    registry.register_nav_link("advocacy:help", label="Get help", order=45, visible=_may_ask_for_help)
    registry.register_nav_link("advocacy:intake_queue", label="Intake", order=62, visible=_works_cases)
    registry.register_nav_link("advocacy:case_list", label="Cases", order=63, visible=_works_cases)
    registry.register_dashboard_panel("advocacy-help", template="advocacy/dashboard/_help.html",
                                      visible=_may_ask_for_help, order=30)
    registry.register_dashboard_panel("advocacy-intake", template="advocacy/dashboard/_intake.html",
                                      context=_intake_panel, visible=_works_cases, order=6)


def _case_document_opened(document, request):
    """Every opening of a case document is recorded, whichever page linked to it (item 10)."""
    from advocacy.models import CaseDocument
    from mae_portal.audit import audit_record, client_ip

    link = CaseDocument.objects.select_related("case", "request").filter(document=document).first()
    if link is not None:
        audit_record(actor=request.user, action="advocacy.document_downloaded", obj=link,
                     subject=link.case or link.request, ip=client_ip(request), changes={"title": document.title})


def _case_letter_opened(document, request):
    from advocacy.models import CaseLetter
    from mae_portal.audit import audit_record, client_ip

    letter = CaseLetter.objects.select_related("case").filter(pk=document.subject_id).first()
    if letter is not None:
        audit_record(actor=request.user, action="advocacy.letter_downloaded", obj=letter, subject=letter.case,
                     ip=client_ip(request), changes={"title": document.title})


def register():
    registry.register_panel("home.cards", "advocacy", template="advocacy/home/_card.html", order=20)
    _register_cases()
    _register_deadlines()
    _register_letters_alerts_reports()
    registry.register_demo_loader("advocacy", _demo_loader, order=20)


def _demo_loader(*, today, options):
    from advocacy.demo import demo_loader

    return demo_loader(today=today, options=options)


def _register_deadlines():
    """The deadline engine: audit actions, the case page's deadlines panel, recomputing on calendar changes
    (closures edited in members' admin reach it through the core's calendar hook) and nightly, and region
    managers' admin rights on case types and school calendars."""
    from celery.schedules import crontab

    from advocacy import tasks_deadlines  # noqa: F401  (registers the periodic task)
    from advocacy.admin_case_types import CASE_TYPE_EDITOR_PERMISSIONS
    from advocacy.case_panels import register_case_panel
    from advocacy.services.deadlines import DEADLINE_AUDIT_ACTIONS
    from advocacy.views.deadlines import deadlines_panel_context
    from mae_portal.audit import register_audit_actions
    from mae_portal.permissions import Groups

    register_audit_actions(DEADLINE_AUDIT_ACTIONS)
    register_case_panel("deadlines", template="advocacy/cases/_deadlines.html", context=deadlines_panel_context,
                        order=10)
    registry.register_calendar_listener(_recompute_districts)
    registry.register_periodic_job("advocacy-recompute-deadlines", task="advocacy.recompute_deadlines",
                                   schedule=crontab(hour=4, minute=30))
    registry.register_group_permissions(Groups.REGION_MANAGERS, CASE_TYPE_EDITOR_PERMISSIONS)


def _recompute_districts(district_ids):
    from advocacy.services.deadlines import deadlines_recompute

    deadlines_recompute(district_ids=district_ids)


# --- Letters, deadline alerts, calendar feeds, caseload and manager reports ----------------------------------

REPORTS_AUDIT_ACTIONS = {
    "advocacy.letter_template_created": "Letter template created",
    "advocacy.letter_template_changed": "Letter template changed",
    "advocacy.letter_drafted": "Case letter drafted",
    "advocacy.letter_edited": "Case letter edited",
    "advocacy.letter_finalised": "Case letter made final",
    "advocacy.letter_downloaded": "Case letter opened",
    "advocacy.calendar_feed_created": "Case calendar feed address made",
    "advocacy.calendar_feed_revoked": "Case calendar feed address revoked",
    "advocacy.caseload_exported": "Caseload exported",
}


def _register_letters_alerts_reports():
    from celery.schedules import crontab

    from advocacy.case_panels import register_case_panel
    from advocacy.letters import register_letter_document_kind
    from advocacy.models import CaseLetter
    from advocacy.rules import works_cases
    from mae_portal.audit import register_audit_actions, register_audit_subject
    from mae_portal.permissions import Groups, is_region_manager

    register_audit_actions(REPORTS_AUDIT_ACTIONS)
    register_audit_subject(CaseLetter, lambda letter: letter.case)
    register_letter_document_kind(on_open=_case_letter_opened)
    register_case_panel("letters", template="advocacy/cases/_letters.html", context=_letters_panel, order=60)
    registry.register_group_permissions(Groups.REGION_MANAGERS, {"advocacy.lettertemplate": ["view", "add", "change"]})
    registry.register_nav_link("advocacy:caseload", label="Caseload", order=64, visible=works_cases)
    registry.register_nav_link("advocacy:manager_reports", label="Case reports", order=65, visible=is_region_manager)
    # 6:30 a.m. Central, before the working day: each director's deadlines that reached an alert threshold.
    registry.register_periodic_job("advocacy-deadline-alerts", task="advocacy.tasks.send_deadline_alerts",
                                   schedule=crontab(hour=6, minute=30))


def _letters_panel(case, request):
    from advocacy.views.letters import letters_panel

    return letters_panel(case, request)
