"""Page throughput: the portal's pages under gunicorn beside a bare Django view, on a large roster.

Not a test (pytest does not collect it) and it asserts nothing about seconds: it prints figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mae_perf REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python tests/bench/bench_pages.py --members 100000 --seconds 10

It drops and creates a separate database (mae_bench_pages unless --database says otherwise; --reuse keeps one
loaded by an earlier run), loads it as tests/bench/bench_membership.py does (reference data, personas, N
members with terms, plans and payments), then starts two gunicorns with 2 sync workers each, DEBUG off and the
Redis cache and sessions: the portal, and the bare view (tests/bench/bare_settings.py: the portal's settings
and middleware, one view running one query). Each page is driven by wrk at 2 connections for --seconds, signed
in where the page needs it (sessions made with the session store; staff personas get a TOTP authenticator).
For each page it prints requests/s, p50, p95, p99, the queries one request runs (counted in this process
with the same settings) and the ratio of its requests/s to the bare view's, measured right before and after
the page (the mean of the two), so that a change in the machine's load during the run moves both.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
PYTHON = sys.executable
TOTP_SECRET = "JBSWY3DPEHPK3PXP"

WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
                         latency:percentile(50), latency:percentile(95), latency:percentile(99), errors))
end
"""


def production_env(database_url: str, redis_url: str) -> dict:
    """What settings.py needs with DEBUG off, on plain HTTP over loopback."""
    return {
        **os.environ,
        "DEBUG": "false", "SECRET_KEY": "bench-pages-secret-key-not-for-production-5d1c0a3f",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "MFA_ENCRYPTION_KEY": "bench-pages-mfa-key-not-for-production", "SECURE_SSL_REDIRECT": "false",
        "PAYMENT_GATEWAY": "sandbox", "PAYMENT_SANDBOX_ALLOWED": "true", "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "dummymail://", "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "mae_portal.settings",
    }


def load(args) -> None:
    """Run in a child process with DEBUG on (load_demo refuses otherwise): bench_membership's loader."""
    from tests.bench import bench_membership

    started = time.perf_counter()
    bench_membership.recreate_database(args.database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mae_portal.settings"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["EMAIL_URL"] = "dummymail://"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from members.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo(member_count=0, today=timezone.localdate())
    loaded = bench_membership.bulk_load(args.members, today=timezone.localdate())
    refresh_statuses()
    print(f"Loaded {args.database}: {loaded['members']:,} members, {loaded['terms']:,} terms, "
          f"{loaded['payments']:,} payments in {time.perf_counter() - started:.0f} s", flush=True)


def refresh_statuses() -> None:
    """What the nightly run does last, and the job after midnight: the statuses the search filters on."""
    from django.utils import timezone

    from members.services.standing import member_standing_refresh_run

    started = time.perf_counter()
    result = member_standing_refresh_run(today=timezone.localdate())
    print(f"Stored {result['stored']:,} members' statuses in {time.perf_counter() - started:.1f} s", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, settings_module: str, ready_path: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "mae_portal.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}{ready_path}", timeout=2)
            return process, base
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"gunicorn ({settings_module}) did not start")


def wrk(url: str, *, seconds: int, connections: int, cookie: str | None, script: str) -> dict:
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "-s", script, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests, duration, p50, p95, p99, errors = map(int, re.search(r"BENCH (.*)", output).group(1).split())
    return {"rps": requests / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
            "errors": errors}


def sessions_and_pages() -> tuple[dict, list]:
    """Session cookies for the personas, and the pages: (label, path, persona or None)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from members.models import Member, MembershipTerm, Payment, User

    cookies = {}
    for persona in ("member", "staff", "leader", "director", "joiner"):
        user, _ = User.objects.get_or_create(email=f"{persona}@example.org")
        if persona in ("staff", "director") and not Authenticator.objects.filter(user=user, type="totp").exists():
            TOTP.activate(user, TOTP_SECRET)  # staff personas need two-factor authentication or are redirected
        cookies[persona] = session_cookie(user)
    someone = Member.objects.filter(user__isnull=True).order_by("pk")[1234]
    card = (MembershipTerm.objects.filter(payments__status=Payment.Status.SUCCEEDED, member__user__isnull=True)
            .order_by("pk")[4321])
    pages = [
        ("home", "/", None),
        ("login", "/accounts/login/", None),
        ("join form", "/members/join/", "joiner"),
        ("member dashboard", "/dashboard/", "member"),
        ("member record (staff)", f"/members/staff/members/{someone.member_number}/", "staff"),
        ("staff search first page", "/members/staff/members/", "staff"),
        ("status filter: lapsed", "/members/staff/members/?status=lapsed", "staff"),
        ("status filter: grace", "/members/staff/members/?status=grace", "staff"),
        ("fuzzy name: jonson", "/members/staff/members/?q=jonson", "staff"),
        ("fuzzy name: cedric walker", "/members/staff/members/?q=cedric+walker", "staff"),
        ("leader roster", "/members/roster/", "leader"),
        ("director roster", "/members/roster/", "director"),
        ("card verification", f"/verify/{card.verification_token}/", None),
    ]
    return cookies, pages


def queries_per_request(path: str, cookie: str | None) -> tuple[int, int, int]:
    """(status, queries, writes) of one request in this process, after one warm-up request: a page that only
    shows something writes nothing (the session is touched at most once a minute)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    writes = sum(q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
                 for q in queries.captured_queries)
    return status, len(queries.captured_queries), writes


def prepare(args, load_command: list[str], *, migrate_reused: bool = False) -> dict:
    """The common start of every page benchmark: refuse DATABASE_URL's own database, load a fresh one in a child
    process (`load_command`, with DEBUG on) unless --reuse, collect static files for DEBUG off, and set Django up
    in this process with the portal's production settings on that database. Returns the environment."""
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install -y wrk).")
    import environ

    from tests.bench.bench_membership import database_url

    parts = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if parts["NAME"] == args.database:
        sys.exit(f"Refusing to use the database in DATABASE_URL ({args.database}); pass another --database.")
    if not args.reuse:
        subprocess.run(load_command, check=True, env={**os.environ, "DEBUG": "true"})
    env = production_env(database_url(parts, args.database), os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"))
    if args.reuse and migrate_reused:  # a database an earlier run loaded: today's migrations
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)
    # With DEBUG off the pages name hashed static files: collect them (into staticfiles/, git-ignored).
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    return env


def session_cookie(user) -> str:
    """A Cookie header value signing `user` in (a session made with the session store)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def drive(env: dict, pages: list, cookies: dict, *, seconds: int, connections: int) -> tuple[list, list]:
    """Serve the portal and the bare view under gunicorn and drive each page (label, path, persona) with wrk.

    The machine's load moves during a run: the bare view is measured right before and after each page, and the
    page's ratio is to the mean of those two. Returns ([(label, result with bare_rps)], the bare view's runs)."""
    script = Path(tempfile.mkdtemp()) / "report.lua"
    script.write_text(WRK_REPORT)
    portal, portal_base = start_gunicorn(env, "mae_portal.settings", "/healthz")
    bare, bare_base = start_gunicorn(env, "tests.bench.bare_settings", "/bare/")
    try:
        run = {"seconds": seconds, "connections": connections, "script": str(script)}
        wrk(f"{bare_base}/bare/", cookie=None, **{**run, "seconds": 2})  # warm both workers
        bare_runs = [wrk(f"{bare_base}/bare/", cookie=None, **run)]
        results = []
        for label, path, persona in pages:
            wrk(f"{portal_base}{path}", cookie=cookies.get(persona), **{**run, "seconds": 2})  # warm-up
            result = wrk(f"{portal_base}{path}", cookie=cookies.get(persona), **run)
            bare_runs.append(wrk(f"{bare_base}/bare/", cookie=None, **run))
            result["bare_rps"] = (bare_runs[-2]["rps"] + bare_runs[-1]["rps"]) / 2
            results.append((label, result))
    finally:
        for process in (portal, bare):
            process.terminate()
            process.wait(timeout=30)
    return results, bare_runs


def print_table(title: str, results: list, counted: dict, bare_runs: list) -> None:
    """One line per page: req/s, p50, p95, p99, queries and writes per request, ratio to the bare view."""
    baseline = {key: sum(r[key] for r in bare_runs) / len(bare_runs) for key in ("rps", "p50", "p95", "p99")}
    print(f"\n{title}")
    header = (f"{'page':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>7} {'writes':>6} "
              f"{'ratio':>6}  status")
    print(header)
    print("-" * len(header))
    print(f"{'bare view (1 query), mean':<28} {baseline['rps']:8.0f} {baseline['p50']:8.1f} {baseline['p95']:8.1f} "
          f"{baseline['p99']:8.1f} {1:>7} {0:>6} {1:6.3f}  (of {len(bare_runs)} runs: "
          f"{min(r['rps'] for r in bare_runs):.0f}-{max(r['rps'] for r in bare_runs):.0f} req/s)")
    for label, result in results:
        status, queries, writes = counted[label]
        errors = f", {result['errors']} errors" if result["errors"] else ""
        print(f"{label:<28} {result['rps']:8.0f} {result['p50']:8.1f} {result['p95']:8.1f} {result['p99']:8.1f} "
              f"{queries:>7} {writes:>6} {result['rps'] / result['bare_rps']:6.3f}  {status}{errors}")


def arguments(doc: str, *, database: str, extra=None) -> argparse.Namespace:
    """The options every page benchmark takes (`extra(parser)` adds its own), parsed; DATABASE_URL checked."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    if extra:
        extra(parser)
    parser.add_argument("--database", default=database, help="dropped and created unless --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the database as an earlier run loaded it")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's run per page")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--pages", default="", help="only the pages whose label contains one of these (comma-separated)")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)  # the child that loads
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL server the benchmark may create a database on.")
    return args


def chosen(pages: list, args) -> list:
    """The pages --pages names (all without it)."""
    wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
    return [p for p in pages if any(w in p[0] for w in wanted)] if wanted else pages


def main():
    args = arguments(__doc__, database="mae_bench_pages",
                     extra=lambda parser: parser.add_argument("--members", type=int, default=100_000))
    if args.load:
        return load(args)
    env = prepare(args, [PYTHON, __file__, "--load", "--members", str(args.members), "--database", args.database],
                  migrate_reused=True)
    if args.reuse:  # the statuses of today
        refresh_statuses()
    cookies, pages = sessions_and_pages()
    pages = chosen(pages, args)
    counted = {label: queries_per_request(path, cookies.get(persona)) for label, path, persona in pages}
    results, bare_runs = drive(env, pages, cookies, seconds=args.seconds, connections=args.connections)
    print_table(f"{args.members:,} members (database {args.database}), gunicorn 2 sync workers, DEBUG off, Redis cache "
                f"and sessions, wrk {args.connections} connections x {args.seconds} s per page", results, counted, bare_runs)


if __name__ == "__main__":
    main()
