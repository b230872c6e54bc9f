"""What the advocacy app plugs into the core (mae_portal/registry.py); called from AdvocacyConfig.ready().

Each area of the app adds its own registrations here (nav links, panels, document kinds, audit actions,
group permissions, periodic jobs)."""

from mae_portal import registry


def register():
    registry.register_panel("home.cards", "advocacy", template="advocacy/home/_card.html", order=20)
    _register_deadlines()
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
