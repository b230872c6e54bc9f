"""What the apps plug into the core: navigation links, dashboard panels, group permissions, periodic jobs.

The core knows no app. Each app registers its parts from its `AppConfig.ready()`, and the core's menu,
dashboard, group sync and Celery beat schedule are built from what was registered:

    from mae_portal import registry

    registry.register_nav_link("members:roster", label="Roster", order=50, visible=may_see_roster)
    registry.register_dashboard_panel("membership", template="members/dashboard/_membership.html",
                                      context=membership_panel, visible=has_member_record, order=10)
    registry.register_group_permissions(Groups.MEMBERSHIP_STAFF, {"members.member": ["view", "change"]})
    registry.register_periodic_job("membership-jobs", task="members.tasks.run_membership_jobs",
                                   schedule=crontab(hour=5, minute=15))

Registrations are keyed by name (a URL name, a panel name, a job name), so registering the same thing
twice replaces it rather than showing it twice. Document kinds have their own registry in
mae_portal/documents.py.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

UserPredicate = Callable[[Any], bool]


def everyone(user) -> bool:
    return True


def signed_in(user) -> bool:
    return user.is_authenticated


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str
    order: int
    visible: UserPredicate


@dataclass(frozen=True)
class DashboardPanel:
    name: str
    template: str
    context: Callable[[Any], Mapping[str, Any]]  # request -> the template's context
    visible: UserPredicate
    order: int
    kept_per_day: Callable[[], Any] | None = None  # see register_panel


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    schedule: Any  # a celery schedule (crontab, timedelta) or seconds
    options: Mapping[str, Any] = field(default_factory=dict)


_nav_links: dict[str, NavLink] = {}
_panels: dict[str, dict[str, DashboardPanel]] = {}
_group_permissions: dict[str, dict[str, set[str]]] = {}
_periodic_jobs: dict[str, PeriodicJob] = {}
_documents_expected: dict[str, Callable[[Any], bool]] = {}
_display_names: list[Callable[[Any], str | None]] = []
_demo_loaders: dict[str, tuple[int, Callable[..., list[str]]]] = {}


# --- navigation ------------------------------------------------------------------------------------------


def register_nav_link(url_name: str, *, label: str, order: int, visible: UserPredicate = everyone) -> None:
    """A main-menu link, shown to the users `visible(user)` accepts, in ascending `order`."""
    _nav_links[url_name] = NavLink(url_name=url_name, label=label, order=order, visible=visible)


def nav_links_for(user) -> list[tuple[str, str]]:
    """(label, url) pairs of the menu this user sees."""
    links = sorted(_nav_links.values(), key=lambda link: (link.order, link.label))
    return [(link.label, _reversed(link.url_name)) for link in links if link.visible(user)]


_reversed_urls: dict[tuple, str] = {}


def _reversed(url_name: str) -> str:
    """reverse(url_name), worked out once per URLconf and script prefix: the menu is on every page, and its
    addresses never change while the process runs."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), url_name)
    if key not in _reversed_urls:
        _reversed_urls[key] = reverse(url_name)
    return _reversed_urls[key]


# --- page panels: the dashboard's sections, the home page's fragments --------------------------------------

# Pages with slots that apps fill: "dashboard" (sections), "home.actions" (buttons in the welcome),
# "home.notes" (lines under them), "home.cards" (what MAE does for you).
DASHBOARD = "dashboard"


def register_panel(page: str, name: str, *, template: str,
                   context: Callable[[Any], Mapping[str, Any]] | None = None,
                   visible: UserPredicate = everyone, order: int = 100,
                   kept_per_day: Callable[[], Any] | None = None) -> None:
    """A fragment of a core page: `template` rendered with `context(request)` added to the page's context,
    for the users `visible(user)` accepts, in ascending `order`.

    With `kept_per_day` (a function giving today), whether a signed-in user sees it and its markup are kept for
    them (mae_portal.user_versions) until their versions, their groups or that day change: for a panel that
    shows only rows whose writes move those versions, and reads nothing of the page's context but the user.
    Its template gets the user, `csrf_token` and its own context; a form's token comes from
    user_versions.form_token(request)."""
    _panels.setdefault(page, {})[name] = DashboardPanel(
        name=name, template=template, context=context or (lambda request: {}), visible=visible, order=order,
        kept_per_day=kept_per_day)


def register_dashboard_panel(name: str, *, template: str, context: Callable[[Any], Mapping[str, Any]] | None = None,
                             visible: UserPredicate = signed_in, order: int = 100,
                             kept_per_day: Callable[[], Any] | None = None) -> None:
    """A section of the dashboard (see register_panel)."""
    register_panel(DASHBOARD, name, template=template, context=context, visible=visible, order=order,
                   kept_per_day=kept_per_day)


def panels_for(page: str, request) -> list[dict[str, Any]]:
    """The page's visible panels, each {"name", "template", "context"}, context already computed; a kept panel
    comes as {"name", "markup"} instead, its markup filled in for this request."""
    from mae_portal import user_versions

    shown = []
    for p in sorted(_panels.get(page, {}).values(), key=lambda panel: (panel.order, panel.name)):
        if p.kept_per_day is not None and request.user.is_authenticated:
            markup = user_versions.kept(request.user, f"panel:{page}:{p.name}", lambda p=p: _kept_markup(p, request),
                                        day=p.kept_per_day())
            if markup is not None:
                shown.append({"name": p.name, "markup": user_versions.fill_in(request, markup)})
        elif p.visible(request.user):
            shown.append({"name": p.name, "template": p.template, "context": dict(p.context(request))})
    return shown


def _kept_markup(panel: DashboardPanel, request) -> str | None:
    """The panel's markup for this user with stand-ins for the request's own tokens, or None when it is hidden."""
    from django.template.loader import get_template

    from mae_portal import user_versions

    if not panel.visible(request.user):
        return None
    template = get_template(panel.template)
    return user_versions.build_kept_markup(request, lambda extra: template.render(
        {"user": request.user, **panel.context(request), **extra}))


def dashboard_panels_for(request) -> list[dict[str, Any]]:
    return panels_for(DASHBOARD, request)


def register_display_name(function: Callable[[Any], str | None]) -> None:
    """How an app names a user (e.g. a member's preferred name); the first non-empty answer wins."""
    if function not in _display_names:
        _display_names.append(function)


def display_name(user) -> str:
    for function in _display_names:
        name = function(user)
        if name:
            return name
    return user.email


def register_documents_expected(name: str, function: Callable[[Any], bool]) -> None:
    """`function(user)` says a document is on its way to this user (the dashboard keeps polling for it)."""
    _documents_expected[name] = function


def documents_expected(user) -> bool:
    """True when any app expects a document for this user soon."""
    return any(function(user) for function in _documents_expected.values())


# --- group permissions -----------------------------------------------------------------------------------


def register_group_permissions(group: str, models: Mapping[str, Iterable[str]]) -> None:
    """Admin permissions a staff group gets on an app's models: {"app_label.model": ["view", "change"]}.
    Several apps may grant to the same group; the grants add up."""
    grants = _group_permissions.setdefault(group, {})
    for label, actions in models.items():
        grants.setdefault(label, set()).update(actions)


def group_permissions() -> dict[str, dict[str, list[str]]]:
    """Every registered grant, by group then model label, actions sorted."""
    return {group: {label: sorted(actions) for label, actions in models.items()}
            for group, models in _group_permissions.items()}


# --- periodic jobs ---------------------------------------------------------------------------------------


def register_periodic_job(name: str, *, task: str, schedule: Any, options: Mapping[str, Any] | None = None) -> None:
    """A Celery beat entry: `task` (its registered name) runs on `schedule`."""
    _periodic_jobs[name] = PeriodicJob(name=name, task=task, schedule=schedule, options=dict(options or {}))


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The registered jobs in Celery's `beat_schedule` shape."""
    schedule = {}
    for job in _periodic_jobs.values():
        entry = {"task": job.task, "schedule": job.schedule}
        if job.options:
            entry["options"] = dict(job.options)
        schedule[job.name] = entry
    return schedule


# --- demo data -------------------------------------------------------------------------------------------


def register_demo_loader(name: str, function: Callable[..., list[str]], *, order: int = 100) -> None:
    """`function(*, today, options) -> lines to print`: loads an app's demo data (idempotently). The core's
    `load_demo` command runs the loaders in ascending order (members first: the others build on its people)."""
    _demo_loaders[name] = (order, function)


def demo_loaders() -> list[Callable[..., list[str]]]:
    return [function for _, function in sorted(_demo_loaders.values(), key=lambda entry: entry[0])]


# --- calendar changes ------------------------------------------------------------------------------------

_calendar_listeners: list[Callable[[Iterable[int] | None], Any]] = []


def register_calendar_listener(function: Callable[[Iterable[int] | None], Any]) -> None:
    """`function(district_ids)` runs when the days offices are open change: a district's closures were
    edited (district_ids: those districts) or every district's may have (None). An app that counts
    deadlines over the business calendar recomputes them."""
    if function not in _calendar_listeners:
        _calendar_listeners.append(function)


def calendar_changed(district_ids: Iterable[int] | None = None) -> None:
    """Tell every calendar listener which districts' calendars changed (None: all of them). Call it after
    the change is committed (transaction.on_commit)."""
    ids = None if district_ids is None else sorted({int(pk) for pk in district_ids if pk is not None})
    for function in list(_calendar_listeners):
        function(ids)
