"""PDFs over WeasyPrint: one renderer, a fetcher that reaches nothing but the portal's own static files.

Templates reference assets with `{% static %}`; the page is rendered with base URL
https://portal.invalid/ so those resolve to https://portal.invalid/static/..., which the fetcher
serves from the static files finders. Any other URL (file:, http:, ftp:, another host) stops the
rendering with UnsafeResourceError.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

PDF_BASE_URL = "https://portal.invalid/"
_STATIC_PREFIX = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL


class UnsafeResourceError(FatalURLFetchingError):
    """A PDF template referenced something outside the portal's static files."""


class PortalURLFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(_STATIC_PREFIX):
            relative = url[len(_STATIC_PREFIX):].split("?")[0].split("#")[0]
            path = None
            if relative and not relative.startswith("/") and ".." not in Path(relative).parts:
                try:
                    path = finders.find(relative)
                except SuspiciousFileOperation:
                    path = None
            if path:
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})
        raise UnsafeResourceError(f"PDF resource refused: {url[:200]}")


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template (autoescaped, so member text stays text) to a tagged PDF."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=PortalURLFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")


def store_pdf(document, template_name: str, context: dict) -> None:
    """Render and attach the PDF to a StoredDocument, marking it ready."""
    data = render_pdf(template_name, context)
    document.file.save(f"{document.pk}.pdf", ContentFile(data), save=False)
    document.size = len(data)
    document.status = document.Status.READY
    document.ready_at = timezone.now()
    document.save(update_fields=["file", "size", "status", "ready_at"])
