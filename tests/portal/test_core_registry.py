"""The core knows no app: the menu, the dashboard, group permissions and beat's schedule come from what the
apps registered (mae_portal/registry.py), and the import contract (pyproject.toml) holds."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from mae_portal import registry
from mae_portal.permissions import Groups
from mae_portal.roles import sync_group_permissions

ROOT = Path(__file__).resolve().parents[2]

MEMBER_MENU = ["Home", "Dashboard", "ESP careers", "My profile", "Get help", "Account"]
MENUS = {
    "anonymous": ["Home", "ESP careers", "Sign in"],  # "Sign in" (and the "Create account" button) are base.html's
    "member": MEMBER_MENU,
    "outsider": MEMBER_MENU,
    "reviewer": ["Home", "Dashboard", "ESP careers", "My reviews", "My profile", "Account"],  # at work: no "Get help"
    "leader": ["Home", "Dashboard", "ESP careers", "My profile", "Get help", "Roster", "Account"],
    "director": ["Home", "Dashboard", "ESP careers", "My profile", "Roster", "Intake", "Cases", "Caseload", "Account"],
    "staff": ["Home", "Dashboard", "ESP careers", "My profile", "Roster", "Members", "Needs attention", "Admin",
              "Account"],
    "awards": ["Home", "Dashboard", "ESP careers", "Award review", "Screening", "My profile", "Admin", "Account"],
    "admin_user": ["Home", "Dashboard", "ESP careers", "Award review", "Screening", "My profile", "Roster", "Members",
                   "Needs attention", "Intake", "Cases", "Caseload", "Case reports", "Audit log", "Admin", "Account"],
}


def test_import_contract_is_kept():
    """The same check as `lint-imports` in `make lint` and `make test`: a broken contract fails pytest too."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


@pytest.mark.parametrize(("persona", "menu"), MENUS.items())
def test_menu_is_built_from_the_apps_registrations(db, as_persona, persona, menu):
    html = as_persona(persona).get("/esp/careers/").content.decode()
    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav) == menu


@pytest.fixture
def extra_panel(monkeypatch, tmp_path, settings):
    """An extra registered panel, as a new app would add one, removed again afterwards."""
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "_panel.html").write_text('<section id="extra">{{ greeting }} {{ user.email }}</section>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    monkeypatch.setattr(registry, "_panels", {page: dict(panels) for page, panels in registry._panels.items()})
    registry.register_dashboard_panel("extra", template="extra/_panel.html", order=15,
                                      context=lambda request: {"greeting": "Hi from an app"},
                                      visible=lambda user: user.email == "member@example.org")


def test_dashboard_renders_registered_panels_in_order_for_whom_they_are_visible(client, member, outsider, extra_panel):
    client.force_login(member)
    page = client.get("/dashboard/").content.decode()
    assert '<section id="extra">Hi from an app member@example.org</section>' in page
    assert page.index("membership-heading") < page.index('id="extra"') < page.index("record-heading")
    client.force_login(outsider)
    page = client.get("/dashboard/").content.decode()
    assert 'id="extra"' not in page and "Not a member yet" in page


def test_dashboard_greets_a_member_by_name_and_anyone_else_by_email(client, member, outsider):
    client.force_login(member)
    assert "<h1>Hello, Tamika Shelton</h1>" in client.get("/dashboard/").content.decode()
    client.force_login(outsider)
    assert "<h1>Hello, outsider@example.org</h1>" in client.get("/dashboard/").content.decode()


def test_home_page_fragments_come_from_the_apps(client, member):
    page = client.get("/").content.decode()
    assert page.index('href="/members/join/">Join MAE') < page.index('button-secondary" href="/accounts/login/">Sign in')
    assert "Create your account</a>" in page
    cards = re.findall(r'<li class="card"><h3>([^<]+)</h3>', page)
    # Only what exists: ESP of the Year, mentoring and certificates have no pages yet (issue 7, item 19).
    assert cards == ["Join and renew", "Help when you need it", "ESP careers"]
    client.force_login(member)
    page = client.get("/").content.decode()
    assert "Go to your dashboard" in page and "Create your account</a>" not in page


def test_registering_twice_replaces(monkeypatch):
    monkeypatch.setattr(registry, "_nav_links", dict(registry._nav_links))
    registry.register_nav_link("home", label="Start", order=10)
    labels = [link.label for link in registry._nav_links.values()]
    assert labels.count("Start") == 1 and "Home" not in labels


def test_documents_expected_asks_every_registered_hook(monkeypatch, outsider):
    monkeypatch.setattr(registry, "_documents_expected", {})
    assert registry.documents_expected(outsider) is False
    registry.register_documents_expected("a", lambda user: False)
    registry.register_documents_expected("b", lambda user: user.email == "outsider@example.org")
    assert registry.documents_expected(outsider) is True


@pytest.mark.django_db
def test_group_permissions_come_from_the_apps_registrations():
    sync_group_permissions()

    def perms(group):
        return {f"{p.content_type.app_label}.{p.codename}"
                for p in Group.objects.get(name=group).permissions.select_related("content_type")}

    staff = perms(Groups.MEMBERSHIP_STAFF)
    assert {"members.view_member", "members.change_member", "members.view_careerfield",
            "members.change_careerfield", "members.add_districtclosure", "members.delete_districtclosure"} <= staff
    assert "members.delete_member" not in staff
    assert {p for p in perms(Groups.AWARDS_STAFF) if p.startswith("members.")} == {
        "members.view_careerfield", "members.change_careerfield"}
    assert {"esp.view_esppage", "esp.change_esppage", "esp.view_careerfieldresource", "esp.add_careerfieldresource",
            "esp.change_careerfieldresource", "esp.delete_careerfieldresource", "esp.view_spotlightstory"} <= perms(
        Groups.AWARDS_STAFF)
    # Advocacy grants region managers its case types too (tests/advocacy/test_case_types.py).
    assert {p for p in perms(Groups.REGION_MANAGERS) if p.startswith("members.")} == {
        "members.view_uniservregion", "members.change_uniservregion", "members.view_district"}
    assert {"esp.view_awardcycle", "esp.add_awardcycle", "esp.change_awardcycle", "esp.view_criterion",
            "esp.view_nomination", "esp.view_supportletter", "esp.view_nominationstatement"} <= perms(Groups.AWARDS_STAFF)
    assert set(registry.group_permissions()) == {Groups.MEMBERSHIP_STAFF, Groups.AWARDS_STAFF, Groups.REGION_MANAGERS}


@pytest.mark.django_db  # the Django fix-up runs the system checks, as beat does
def test_beat_sees_the_registered_periodic_jobs():
    """`celery -A mae_portal beat` sets up Django through the loader's import_modules signal, then reads
    app.conf.beat_schedule when its scheduler starts: do the same and look at that scheduler."""
    from celery.beat import Scheduler
    from celery.schedules import crontab

    from mae_portal.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["membership-jobs"]
    assert entry["task"] == "members.tasks.run_membership_jobs"
    assert entry["schedule"] == crontab(hour=5, minute=15)
    scheduler = Scheduler(app=app)
    assert scheduler.schedule["membership-jobs"].task == "members.tasks.run_membership_jobs"
    assert "members.tasks.run_membership_jobs" in app.tasks
