from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mae_portal.models import AuditLog, StoredDocument
from mae_portal.permissions import documents_visible_to, is_admin
from members.views.member.dashboard import membership_dashboard, membership_documents_expected


def home(request):
    return render(request, "home.html")


@login_required
def dashboard(request):
    member = getattr(request.user, "member", None)
    return render(request, "dashboard.html",
                  {"member": member, **_documents(request.user), **membership_dashboard(request.user)})


@login_required
def documents_panel(request):
    """The dashboard's document list; htmx polls it while a PDF is being prepared."""
    return render(request, "includes/_documents.html", _documents(request.user))


def _documents(user):
    documents = list(StoredDocument.objects.filter(owner=user)[:10])
    pending = any(d.status == d.Status.PENDING for d in documents) or membership_documents_expected(user)
    return {"documents": documents, "documents_pending": pending}


@login_required
def document_download(request, pk):
    document = get_object_or_404(documents_visible_to(request.user), pk=pk, status=StoredDocument.Status.READY)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.download_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
