"""What the advocacy app plugs into the core (mae_portal/registry.py); called from AdvocacyConfig.ready().

Each area of the app adds its own registrations here (nav links, panels, document kinds, audit actions,
group permissions, periodic jobs)."""

from mae_portal import registry


def register():
    registry.register_panel("home.cards", "advocacy", template="advocacy/home/_card.html", order=20)
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
    register_letter_document_kind()
    register_case_panel("letters", template="advocacy/cases/_letters.html", context=_letters_panel, order=60)
    registry.register_group_permissions(Groups.REGION_MANAGERS, {"advocacy.lettertemplate": ["view", "add", "change"]})
    registry.register_nav_link("advocacy:caseload", label="Caseload", order=62, visible=works_cases)
    registry.register_nav_link("advocacy:manager_reports", label="Case reports", order=63, visible=is_region_manager)
    # 6:30 a.m. Central, before the working day: each director's deadlines that reached an alert threshold.
    registry.register_periodic_job("advocacy-deadline-alerts", task="advocacy.tasks.send_deadline_alerts",
                                   schedule=crontab(hour=6, minute=30))


def _letters_panel(case, request):
    from advocacy.views.letters import letters_panel

    return letters_panel(case, request)
