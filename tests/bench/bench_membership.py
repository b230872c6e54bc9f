"""Membership benchmark: staff search, the member dashboard and the renewal-notice run on a large roster.

Not a test (pytest does not collect it) and it asserts nothing about seconds: it prints figures.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/mae_c \\
        .venv/bin/python tests/bench/bench_membership.py --members 100000

It drops and creates a separate database on the same server (mae_bench unless --database says otherwise),
migrates it, loads the reference data and personas (members.demo.load_demo with no demo members), bulk-loads
N members with terms, plans and payments through COPY, then times:

- staff search: 20 typical queries (typos, partial emails, member numbers, NEA IDs, district names, filters),
  each a GET of /members/staff/members/ by the membership staff persona, best of three;
- the member dashboard: GET /dashboard/ as the member persona;
- the renewal-notice run, members.services.nightly.renewal_notices_run, on the day the "30 days before" notice of
  this membership year goes out (every paid term gets one). Emails are queued to an in-memory broker, as
  they would be for the Celery workers, not sent.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
CHICAGO = ZoneInfo("America/Chicago")
DOMAIN = "bench.example.net"


def database_url(parts: dict, name: str) -> str:
    credentials = quote(parts["USER"] or "", safe="")
    if parts["PASSWORD"]:
        credentials += ":" + quote(parts["PASSWORD"], safe="")
    host, port = parts["HOST"] or "", f":{parts['PORT']}" if parts["PORT"] else ""
    if host.startswith("/"):  # a Unix socket directory goes in the path (django-environ's convention)
        return f"postgres://{credentials}@{port}/" + quote(f"{host.rstrip('/')}/{name}", safe="")
    return f"postgres://{credentials}@{host}{port}/{quote(name, safe='')}"


def recreate_database(name: str) -> None:
    """Drop and create the benchmark database, then point DATABASE_URL at it (before Django starts)."""
    import environ
    import psycopg

    parts = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if name == parts["NAME"]:
        sys.exit(f"Refusing to drop the database in DATABASE_URL ({name}); pass another --database.")
    connect = {"dbname": "postgres", "user": parts["USER"] or None, "password": parts["PASSWORD"] or None,
               "host": parts["HOST"] or None, "port": parts["PORT"] or None}
    with psycopg.connect(autocommit=True, **{k: v for k, v in connect.items() if v}) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url(parts, name)


# --- Bulk load ---------------------------------------------------------------------------------------------------


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def synthetic_surnames(rng, count):
    """Surnames beyond the demo's forty, so a common name matches hundreds, not thousands."""
    starts = ["Bar", "Ben", "Bla", "Bro", "Cal", "Car", "Cro", "Dav", "Dun", "Ell", "Fai", "Gar", "Gil", "Gra", "Ham",
              "Har", "Hol", "How", "Ken", "Lan", "Law", "Mar", "Mas", "McC", "McK", "Mil", "Mor", "New", "Nor", "Par",
              "Pen", "Ran", "Ray", "Ros", "Sim", "Sta", "Tho", "Tur", "Wal", "Wat", "Whi", "Wil", "Win", "Yar"]
    ends = ["ley", "ton", "son", "well", "field", "more", "ford", "by", "wood", "er", "ett", "ick", "man", "den",
            "ham", "ings", "lock", "ridge", "stead", "worth", "kins", "ston", "dale", "mon"]
    return sorted({rng.choice(starts) + rng.choice(ends) for _ in range(count * 3)})[:count]


def bulk_load(n: int, *, today: date) -> dict:
    from django.db import connection

    from members import demo, dues
    from members.models import CareerField, District, MembershipCategory, Worksite

    rng = random.Random(20261122)
    year = dues.membership_year_for(today)
    this_start, this_end = dues.membership_year_bounds(year)
    last_start, last_end = dues.membership_year_bounds(year - 1)
    fields = list(CareerField.objects.all())
    esp_fields = [f for f in fields if f.kind == CareerField.Kind.ESP]
    pro_fields = [f for f in fields if f.kind != CareerField.Kind.ESP]
    districts = list(District.objects.prefetch_related("locals"))
    sites = {}
    for site in Worksite.objects.all():
        sites.setdefault(site.district_id, []).append(site.pk)
    categories = {c.code: c for c in MembershipCategory.objects.prefetch_related("rates")}
    shares = {code: next(iter(c.rates.all())) for code, c in categories.items()}
    surnames = synthetic_surnames(rng, 3000)
    now = datetime.now(CHICAGO)

    counts = {}
    started = time.perf_counter()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        people = []

        def member_rows():
            for i in range(n):
                first = rng.choice(demo.FIRST)
                last = rng.choice(demo.LAST) if rng.random() < 0.45 else rng.choice(surnames)
                district = rng.choice(districts)
                esp = rng.random() < 0.7
                field = rng.choice(esp_fields if esp else pro_fields)
                basis = "part_time" if esp and rng.random() < 0.15 else "full_time"
                people.append((esp, basis))
                yield (first, "", last, "", f"{demo._slug(first)}.{demo._slug(last)}.{i}@{DOMAIN}",
                       f"601-555-{rng.randint(0, 9999):04d}", f"{rng.randint(100, 9999)} Pine Street", "", "Jackson",
                       "MS", "39201", district.pk, rng.choice(sites[district.pk]), "Staff", field.pk, basis,
                       today - timedelta(days=rng.randint(90, 9000)), district.locals.all()[0].pk, True, False, True,
                       now, now, f"B{i:09d}")

        counts["members"] = copy_rows(cursor, "members_member", [
            "legal_first_name", "legal_middle_name", "legal_last_name", "preferred_name", "email", "mobile_phone",
            "address_line1", "address_line2", "city", "state", "zip_code", "employer_district_id", "worksite_id",
            "job_title", "career_field_id", "employment_basis", "hire_date", "local_id", "contact_by_email",
            "contact_by_text", "contact_by_mail", "created_at", "updated_at", "nea_id"], member_rows())
        cursor.execute(f"SELECT id FROM members_member WHERE email LIKE '%%@{DOMAIN}' ORDER BY id")
        member_ids = [row[0] for row in cursor.fetchall()]

        # Who has what: the demo's scenarios, at scale.
        plan_of, scenario_of = {}, {}
        for member_id in member_ids:
            roll = rng.random()
            scenario = ("none" if roll < 0.05 else "lapsed" if roll < 0.13 else "pending" if roll < 0.18
                        else "monthly" if roll < 0.34 else "annual")
            scenario_of[member_id] = scenario
            plan_of[member_id] = "monthly" if scenario == "monthly" else "annual"
        drafted = [m for m, kind in plan_of.items() if kind == "monthly"]
        counts["authorizations"] = copy_rows(cursor, "members_draftauthorization", [
            "member_id", "typed_name", "agreed_text", "text_version", "ip_address", "user_agent", "signed_at"],
            ((m, "Member", demo.AUTHORIZATION_TEXT, "2026-1", "203.0.113.10", "bench", now) for m in drafted))
        cursor.execute("SELECT member_id, id FROM members_draftauthorization")
        authorization_of = dict(cursor.fetchall())
        counts["plans"] = copy_rows(cursor, "members_paymentplan", [
            "member_id", "kind", "status", "auto_renew", "draft_day", "authorization_id", "gateway",
            "gateway_customer", "gateway_payment_method", "payment_method_label", "created_at"],
            ((m, plan_of[m], "active", True, 15, authorization_of.get(m), "sandbox", f"sbx_cus_{m}",
              "sbx_acct_000123456789" if plan_of[m] == "monthly" else "sbx_card_4242",
              "Checking ending 6789" if plan_of[m] == "monthly" else "Card ending 4242", now)
             for m in member_ids if scenario_of[m] != "none"))
        cursor.execute("SELECT member_id, id FROM members_paymentplan")
        plan_id = dict(cursor.fetchall())

        def category_for(member_index):
            esp, basis = people[member_index]
            return categories["esp-part-time" if basis == "part_time" else "esp-full-time"] if esp else \
                categories["active-professional"]

        def term_row(member_id, category, start, end, year_, continues=None):
            if scenario_of[member_id] == "pending" and year_ == year:  # joined in the last days
                start = max(this_start, today - timedelta(days=rng.randint(0, 10)))
            rate = shares[category.code]
            return (member_id, category.pk, year_, f"[{start},{end + timedelta(days=1)})", continues,
                    plan_id[member_id], rate.local_share, rate.state_share, rate.national_share, rate.total, "",
                    str(uuid.UUID(int=rng.getrandbits(128))), now)

        term_columns = ["member_id", "category_id", "membership_year", "period", "continues_id", "plan_id",
                        "local_share", "state_share", "national_share", "amount_due", "cancel_reason",
                        "verification_token", "created_at"]
        index_of = {m: i for i, m in enumerate(member_ids)}
        previous = [m for m in member_ids if scenario_of[m] in ("lapsed", "monthly", "annual")]
        counts["terms"] = copy_rows(cursor, "members_membershipterm", term_columns, (
            term_row(m, category_for(index_of[m]), last_start, last_end, year - 1) for m in previous))
        cursor.execute("SELECT member_id, id FROM members_membershipterm")
        last_term = dict(cursor.fetchall())
        current = [m for m in member_ids if scenario_of[m] in ("pending", "monthly", "annual")]
        counts["terms"] += copy_rows(cursor, "members_membershipterm", term_columns, (
            term_row(m, category_for(index_of[m]), this_start, this_end, year, last_term.get(m)) for m in current))
        cursor.execute("SELECT id, member_id, membership_year, amount_due, lower(period) FROM members_membershipterm "
                       "WHERE member_id = ANY(%s)", [member_ids])
        terms = cursor.fetchall()

        def payment_rows():
            for term_id, member_id, year_, amount, start in terms:
                monthly = plan_of[member_id] == "monthly" and year_ == year
                schedule = (dues.split_installments(Decimal(amount), [start, *dues.monthly_draft_dates(
                    start + timedelta(days=1), dues.membership_year_bounds(year_)[1] - timedelta(days=31), 15)])
                    if monthly else [(start - timedelta(days=rng.randint(1, 25)), Decimal(amount))])
                unpaid = scenario_of[member_id] == "pending" and year_ == year
                for number, (due, value) in enumerate(schedule, 1):
                    paid = due <= today and not unpaid
                    status = "succeeded" if paid else ("pending" if number == 1 else "scheduled")
                    yield (member_id, term_id, value, "bank_draft" if monthly else "card", status, due, number,
                           "sandbox", f"bench_{term_id}_{number}" if paid else "", f"bench:{term_id}:{number}", "", "",
                           "", "", now, datetime.combine(due, datetime.min.time(), CHICAGO) + timedelta(hours=9)
                           if paid else None)

        counts["payments"] = copy_rows(cursor, "members_payment", [
            "member_id", "term_id", "amount", "method", "status", "due_on", "installment_number", "gateway",
            "gateway_reference", "idempotency_key", "failure_message", "check_number", "note", "attention", "created_at",
            "paid_at"], payment_rows())
        cursor.execute("ANALYZE")
    counts["seconds"] = time.perf_counter() - started
    return counts


# --- Timings -----------------------------------------------------------------------------------------------------


def best_of(count, call):
    times = []
    result = None
    for _ in range(count):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return min(times), result


def search_queries(today):
    from members.models import CareerField, Local, Member, MembershipCategory, UniServRegion

    sample = Member.objects.filter(email__endswith=DOMAIN).order_by("pk")
    someone = sample[1234 % sample.count()]
    other = sample[5678 % sample.count()]
    esp = MembershipCategory.objects.get(code="esp-full-time").pk
    transport = CareerField.objects.get(slug="transportation-services").pk
    local = Local.objects.order_by("name").first().pk
    region2, region3 = (UniServRegion.objects.get(number=n).pk for n in (2, 3))
    email_part = someone.email.split("@")[0][:-2]  # "first.last.12" -> "first.last."
    return [
        ("typo: jonson", {"q": "jonson"}),
        ("typo: wiliams", {"q": "wiliams"}),
        ("persona full name", {"q": "Tamika Shelton"}),
        ("typo: shelten", {"q": "shelten"}),
        ("partial email", {"q": email_part}),
        ("partial email + status", {"q": other.email.split("@")[0], "status": "active"}),
        ("member number", {"q": str(someone.member_number)}),
        ("NEA ID", {"q": other.nea_id}),
        ("district: tupelo", {"q": "tupelo"}),
        ("district typo: greenvile", {"q": "greenvile"}),
        ("name or district: jackson", {"q": "jackson"}),
        ("first name + lapsed", {"q": "marcus", "status": "lapsed"}),
        ("status only: grace", {"status": "grace"}),
        ("pending in region 2", {"status": "pending", "region": region2}),
        ("name + category", {"q": "brown", "category": esp}),
        ("career field + local", {"career_field": transport, "local": local}),
        ("name + district", {"q": "holloway biloxi"}),
        ("first name, region 3, active", {"q": "latoya", "region": region3, "status": "active"}),
        ("full name", {"q": "cedric walker"}),
        ("no query: first page", {}),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database", default="mae_bench", help="dropped and created (default mae_bench)")
    parser.add_argument("--skip-notices", action="store_true", help="do not time the renewal-notice run")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL server the benchmark may create a database on.")
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mae_portal.settings"
    os.environ["CELERY_BROKER_URL"] = "memory://"  # queue, do not run, the emails the notice run makes
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["CONN_MAX_AGE"] = "0"

    started = time.perf_counter()
    recreate_database(args.database)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses carry their template context (the result counts below)
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.management import call_command
    from django.db import reset_queries
    from django.test import Client
    from django.utils import timezone

    from members.demo import load_demo
    from members.models import User

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    load_demo(member_count=0, today=today)
    print(f"Database {args.database}: migrated with reference data in {time.perf_counter() - started:.1f} s")

    loaded = bulk_load(args.members, today=today)
    print(f"Bulk load: {loaded['members']:,} members, {loaded['terms']:,} terms, {loaded['plans']:,} plans, "
          f"{loaded['payments']:,} payments in {loaded['seconds']:.1f} s")

    staff = User.objects.get(email="staff@example.org")
    TOTP.activate(staff, "JBSWY3DPEHPK3PXP")  # staff pages require two-factor authentication
    client = Client()
    client.force_login(staff)
    queries = search_queries(today)
    for _, params in queries:  # warm the caches once
        client.get("/members/staff/members/", params)
    print(f"\nStaff search (GET /members/staff/members/, best of 3, {args.members:,} members):")
    timings = []
    for label, params in queries:
        seconds, response = best_of(3, lambda p=params: client.get("/members/staff/members/", p))
        assert response.status_code == 200, (label, response.status_code)
        timings.append(seconds)
        page = response.context["page"] if response.context else None
        found = "?" if page is None else page.total if page.total is not None else f">{page.end_index()}"
        print(f"  {label:<32} {seconds * 1000:8.1f} ms  {found:>7} found")
        reset_queries()
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(f"  median {statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"max {timings[-1] * 1000:.1f} ms")

    member_client = Client()
    member_client.force_login(User.objects.get(email="member@example.org"))
    member_client.get("/dashboard/")
    dashboard = sorted(best_of(1, lambda: member_client.get("/dashboard/"))[0] for _ in range(5))
    print(f"\nMember dashboard (GET /dashboard/): median {statistics.median(dashboard) * 1000:.1f} ms of 5")

    if args.skip_notices:
        return
    try:
        from members.services.nightly import renewal_notices_run
    except ImportError:
        print("\nRenewal-notice run: not available (members.services.nightly.renewal_notices_run)")
        return
    from members import dues

    day = dues.membership_year_bounds(dues.membership_year_for(today))[1] - timedelta(days=30)
    started = time.perf_counter()
    result = renewal_notices_run(today=day)
    seconds = time.perf_counter() - started
    print(f"\nRenewal-notice run on {day} (the 30-days-before notice of every paid term): {seconds:.1f} s, {result}")
    started = time.perf_counter()
    again = renewal_notices_run(today=day)
    print(f"  run again the same day (nothing left to send): {time.perf_counter() - started:.1f} s, {again}")


if __name__ == "__main__":
    main()
