"""The web container's health check: `python -m mae_portal.healthcheck` asks gunicorn for /healthz.

Django refuses a Host header that ALLOWED_HOSTS does not accept, so the check must send one it does.
The first entry of ALLOWED_HOSTS is not always a host name: `.example.org` (any subdomain) and `*` are
patterns. `healthcheck_host` turns the list into a concrete name that passes Django's own validation,
from the container's environment, so it needs no compose-time interpolation and no settings import.
"""

import os
import sys
import urllib.request

from django.http.request import validate_host

URL = "http://127.0.0.1:8000/healthz"


def healthcheck_host(allowed_hosts: list[str]) -> str:
    """A Host header value that `allowed_hosts` (Django's patterns) accepts."""
    for pattern in allowed_hosts:
        candidate = "localhost" if pattern == "*" else pattern.lstrip(".")
        if candidate and validate_host(candidate, allowed_hosts):
            return candidate
    raise ValueError(f"no usable host in ALLOWED_HOSTS={allowed_hosts!r}")


def main() -> int:
    allowed = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    # X-Forwarded-Proto: with DEBUG off the portal expects HTTPS from its proxy (/healthz is exempt from
    # the redirect anyway); the check talks plain HTTP to gunicorn inside the container.
    request = urllib.request.Request(URL, headers={"Host": healthcheck_host(allowed), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:  # connection refused, timeout, or an HTTP error status (503: a dependency is down)
        print(f"healthz: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
