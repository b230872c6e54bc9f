import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mae_portal import registry, user_versions
from mae_portal.access import get_visible_or_404
from mae_portal.audit import audit_subjects
from mae_portal.documents import document_kind, document_kinds, documents_visible_to, safe_filename
from mae_portal.models import AuditLog, StoredDocument
from mae_portal.permissions import is_admin
from mae_portal.public_pages import public_pages_version

# The home page as signed-out visitors see it, per process: (rendered at, public-pages version, content). It
# is the same for every one of them (no form, no token, no name) but for flash messages, which are then
# rendered as usual; an app's public change (mae_portal.public_pages) makes every process render it afresh.
_SIGNED_OUT_HOME: dict[str, tuple[float, int, bytes]] = {}
SIGNED_OUT_HOME_SECONDS = 60


@require_GET  # a page that only shows something: POST answers 405
def home(request):
    cacheable = not settings.DEBUG and not request.user.is_authenticated and not len(get_messages(request))
    version = public_pages_version() if cacheable else 0
    kept = _SIGNED_OUT_HOME.get("page") if cacheable else None
    if kept and kept[0] > time.monotonic() - SIGNED_OUT_HOME_SECONDS and kept[1] == version:
        return HttpResponse(kept[2])
    response = render(request, "home.html", {
        slot.replace("home.", ""): registry.panels_for(slot, request) for slot in ("home.actions", "home.notes", "home.cards")
    })
    if cacheable:
        _SIGNED_OUT_HOME["page"] = (time.monotonic(), version, response.content)
    return response


@require_GET
@login_required
def dashboard(request):
    """The signed-in home page: the panels the apps registered for this user, then their account."""
    panels = registry.dashboard_panels_for(request)  # first: what they load, the documents check may reuse
    return render(request, "dashboard.html", {
        "greeting_name": registry.display_name(request.user), **_documents(request.user), "panels": panels,
    })


@require_GET
@login_required
def documents_panel(request):
    """The dashboard's document list; htmx polls it while a PDF is being prepared. Opened directly (not by
    htmx), the same list comes inside the full page."""
    template = "includes/_documents.html" if request.headers.get("HX-Request") == "true" else "documents.html"
    response = render(request, template, _documents(request.user))
    patch_vary_headers(response, ["HX-Request"])
    return response


DOCUMENT_LIST_FIELDS = ("pk", "title", "status", "size", "created_at", "content_type")


def _documents(user):
    # kept between requests under the user's versions: their documents' rows move them, their groups are in its key
    documents = user_versions.kept(user, "own-documents", lambda: _own_documents(user))
    pending = any(d.status == d.Status.PENDING for d in documents) or registry.documents_expected(user)
    return {"documents": documents, "documents_pending": pending}


def _own_documents(user, limit=10):
    """The user's own documents (of any registered kind, that they may open), newest first.

    Their own documents of the registered kinds first, in one plain query; when each kind among them opens
    to its owner whatever the document (its scope for this user is their own documents, or all of them),
    those are the answer, with no need to build every kind's scope into the query. Else, the full one."""
    if not user.is_authenticated:
        return []
    kinds = {kind.name: kind for kind in document_kinds()}
    documents = list(StoredDocument.objects.filter(owner=user, kind__in=list(kinds))
                     .only(*DOCUMENT_LIST_FIELDS, "kind")[:limit])
    opens_to_owner = (Q(owner=user), Q(pk__isnull=False))
    if all(kinds[name].visible_to(user) in opens_to_owner for name in {d.kind for d in documents}):
        return documents
    return list(documents_visible_to(user).filter(owner=user).only(*DOCUMENT_LIST_FIELDS)[:limit])


@require_GET
def document_download(request, pk):
    """The one door to stored documents: 404 for what the user may not open (or that is not ready),
    signed out included: a document's address tells nobody that it exists."""
    document = get_visible_or_404(documents_visible_to(request.user), pk=pk, status=StoredDocument.Status.READY)
    on_open = document_kind(document.kind).on_open
    if on_open is not None:
        on_open(document, request)
    response = FileResponse(document.file.open("rb"), as_attachment=True, content_type=document.content_type,
                            filename=safe_filename(document.download_name))
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_GET
@login_required
def audit_log(request):
    if not is_admin(request.user):
        raise PermissionDenied
    entries = AuditLog.objects.select_related("actor", "content_type")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action__icontains=action)
    if actor:
        entries = entries.filter(actor__email__icontains=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = audit_subjects(page.object_list, user=request.user)
    return render(request, "audit_log.html", {"page": page, "action": action, "actor": actor})


@require_GET
@never_cache
def healthz(request):
    """Reachability of the database, the cache and the broker, as JSON; 503 when any is down."""
    checks = {"database": _check(_database), "cache": _check(_cache)}
    checks["broker"] = _check(_broker) if settings.CELERY_BROKER_URL else "inline"
    healthy = all(value in ("ok", "inline") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _check(probe):
    try:
        probe()
    except Exception as exc:  # a health check reports every failure, whatever its kind
        return f"error: {type(exc).__name__}"
    return "ok"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not keep a value")


def _broker():
    from mae_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
