"""The benchmark's bare view: one query through the portal's middleware, the ceiling pages are compared with.
Mounted only by tests/bench/bare_settings.py, for a separate gunicorn that bench_pages.py starts."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path


def bare(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bare/", bare)]
