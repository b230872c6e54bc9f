"""Advocacy throughput: the caseload page and the manager report under gunicorn beside a bare Django view, on
5,000 cases across 8 regions and 20 directors, with their deadlines and hearings.

Not a test (pytest does not collect it) and it asserts nothing about seconds: it prints figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mae_perf REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python tests/bench/bench_advocacy.py --cases 5000 --seconds 10

It drops and creates a separate database (mae_bench_advocacy unless --database says otherwise; --reuse keeps one
loaded by an earlier run), migrates it, loads the demo personas and regions (members.demo with no members), adds
regions up to 8 and directors up to 20, then bulk-loads the cases: one grievant each, one to three deadlines
(some overdue, some met), hearings on the nonrenewal cases, a private note on each. Then, with
tests/bench/bench_pages.py's helpers (the same gunicorns, wrk script and sessions), it drives each page at 2
connections for --seconds and prints requests/s, p50, p95, p99, the queries one request runs and the ratio to
the bare view's requests/s in the same run.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from tests.bench.bench_pages import (  # noqa: E402
    PYTHON,
    TOTP_SECRET,
    arguments,
    chosen,
    drive,
    prepare,
    print_table,
    queries_per_request,
    session_cookie,
)

REGION_COUNT = 8
DIRECTOR_COUNT = 20
SUPERVISORS = ["Principal Dana Reed", "Principal Leon Tate", "Principal Ann Moss", "Assistant Principal Ray Ortiz",
               "Transportation Director Kim Hale", "Food Services Manager Lee Park", "Superintendent Joan Pitts"]


def load(args) -> None:
    """Run in a child process with DEBUG on (load_demo refuses otherwise)."""
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
    counts = bulk_load_cases(args.cases, today=timezone.localdate(), seed=args.seed)
    print(f"Loaded {args.database}: {counts['cases']:,} cases in {counts['regions']} regions for "
          f"{counts['directors']} directors, {counts['deadlines']:,} deadlines, {counts['hearings']:,} hearings "
          f"in {time.perf_counter() - started:.0f} s", flush=True)


def bulk_load_cases(n: int, *, today, seed: int = 8) -> dict:
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from advocacy.models import CaseDeadline, CaseEvent, CaseNote, CaseType, GrievanceCase, IssueCategory
    from mae_portal.permissions import Groups
    from members.models import District, Member, UniServRegion, User, Worksite

    rng = random.Random(seed)
    with transaction.atomic():
        for number in range(1, REGION_COUNT + 1):
            region, _ = UniServRegion.objects.get_or_create(number=number, defaults={"name": f"Bench region {number}"})
            for d in range(District.objects.filter(region=region).count(), 5):
                district = District.objects.create(name=f"Bench {number}-{d} School District", county="Hinds",
                                                   region=region)
                for s, kind in enumerate(["elementary", "middle", "high"]):
                    Worksite.objects.create(district=district, name=f"Bench {number}-{d} School {s}", kind=kind)
        regions = list(UniServRegion.objects.order_by("number"))
        directors_group = Group.objects.get(name=Groups.UNISERV_DIRECTORS)
        managers_group = Group.objects.get(name=Groups.REGION_MANAGERS)
        manager, _ = User.objects.get_or_create(email="region.manager@example.org",
                                                defaults={"first_name": "Regina", "last_name": "Manning"})
        manager.groups.add(managers_group)
        directors = [User.objects.get(email="director@example.org"), User.objects.get(email="director2@example.org")]
        for i in range(len(directors), DIRECTOR_COUNT):
            user, _ = User.objects.get_or_create(email=f"bench.director{i}@example.org",
                                                 defaults={"first_name": f"Director{i}", "last_name": "Bench"})
            user.groups.add(directors_group)
            directors.append(user)
        by_region = {region.pk: [] for region in regions}
        for i, director in enumerate(directors):  # director (1) and director2 (2) keep their demo regions
            region = regions[0] if i == 0 else regions[1] if i == 1 else regions[i % REGION_COUNT]
            region.directors.add(director)
            by_region[region.pk].append(director)
        districts = list(District.objects.select_related("region").order_by("pk"))
        sites = {}
        for site in Worksite.objects.order_by("pk"):
            sites.setdefault(site.district_id, []).append(site)
        categories = list(IssueCategory.objects.all())
        versions = {kind: CaseType.objects.get(kind=kind).versions.order_by("number").first()
                    for kind in ("grievance", "nonrenewal")}
        steps = {kind: list(version.steps.order_by("order")) for kind, version in versions.items()}

        members, cases = [], []
        for i in range(n):
            district = districts[i % len(districts)]
            site = rng.choice(sites[district.pk])
            kind = "nonrenewal" if rng.random() < 0.2 else "grievance"
            closed = rng.random() < 0.3
            filed = today - timedelta(days=rng.randint(0, 500))
            members.append(Member(legal_first_name=f"Grievant{i}", legal_last_name=f"Bench{i % 977}",
                                  employer_district=district, worksite=site))
            cases.append(GrievanceCase(
                case_type_version=versions[kind], region=district.region,
                director=rng.choice(by_region[district.region_id] or directors), district=district, worksite=site,
                supervisor=rng.choice(SUPERVISORS), issue_category=rng.choice(categories),
                title=f"Bench case {i}", facts="Facts of the case.", remedy_sought="Make the member whole.",
                filed_on=filed, current_step=rng.choice(steps[kind]),
                status="closed" if closed else rng.choice(["open", "open", "open", "on_hold"]),
                outcome=rng.choice(["won", "settled", "lost", "withdrawn"]) if closed else "",
                closed_on=filed + timedelta(days=30) if closed else None))
        members = Member.objects.bulk_create(members, batch_size=1000)
        cases = GrievanceCase.objects.bulk_create(cases, batch_size=1000)
        GrievanceCase.grievants.through.objects.bulk_create(
            [GrievanceCase.grievants.through(grievancecase_id=case.pk, member_id=member.pk)
             for case, member in zip(cases, members, strict=True)], batch_size=2000)
        deadlines, events, notes = [], [], []
        for case in cases:
            kind = "nonrenewal" if case.case_type_version_id == versions["nonrenewal"].pk else "grievance"
            for step in steps[kind][:rng.randint(1, 3)]:
                due = today + timedelta(days=rng.randint(-20, 60))
                deadlines.append(CaseDeadline(
                    case=case, step=step, anchor_date=due - timedelta(days=10), computed_due=due,
                    explanation=f"{step.days} {step.get_unit_display()} {step.direction} the anchor; due {due:%a %b %-d}",
                    status="met" if rng.random() < 0.3 else "open"))
            if kind == "nonrenewal":
                events.append(CaseEvent(case=case, kind="hearing_scheduled", recorded_by=case.director,
                                        occurred_on=today + timedelta(days=rng.randint(-10, 45))))
            notes.append(CaseNote(case=case, author=case.director, body="Private note."))
        CaseDeadline.objects.bulk_create(deadlines, batch_size=2000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        CaseNote.objects.bulk_create(notes, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as a database in use has them
    return {"cases": len(cases), "regions": len(regions), "directors": len(directors), "deadlines": len(deadlines),
            "hearings": len(events)}


def sessions_and_pages() -> tuple[dict, list]:
    """Session cookies for the personas, and the pages: (label, path, persona or None)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils import timezone

    from advocacy.models import CalendarFeedToken
    from members.models import User

    cookies = {}
    for persona in ("director", "region.manager"):
        user = User.objects.get(email=f"{persona}@example.org")
        if not Authenticator.objects.filter(user=user, type="totp").exists():
            TOTP.activate(user, TOTP_SECRET)  # staff personas need two-factor authentication or are redirected
        cookies[persona] = session_cookie(user)
    token, _ = CalendarFeedToken.objects.get_or_create(user=User.objects.get(email="director@example.org"))
    year = timezone.localdate().year
    pages = [
        ("caseload (director)", "/advocacy/caseload/", "director"),
        ("caseload (manager)", "/advocacy/caseload/", "region.manager"),
        ("caseload overdue (manager)", "/advocacy/caseload/?overdue_only=on", "region.manager"),
        ("caseload page 10 (manager)", "/advocacy/caseload/?status=&page=10", "region.manager"),
        ("manager report", "/advocacy/reports/", "region.manager"),
        ("manager report 2 years", f"/advocacy/reports/?start={year - 1}-01-01&end={year}-12-31", "region.manager"),
        ("iCal feed (director)", f"/advocacy/feeds/{token.token}.ics", None),
    ]
    return cookies, pages


def main():
    def extra(parser):
        parser.add_argument("--cases", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=8)

    args = arguments(__doc__, database="mae_bench_advocacy", extra=extra)
    if args.load:
        return load(args)
    env = prepare(args, [PYTHON, __file__, "--load", "--cases", str(args.cases), "--seed", str(args.seed),
                         "--database", args.database])
    cookies, pages = sessions_and_pages()
    pages = chosen(pages, args)
    counted = {label: queries_per_request(path, cookies.get(persona)) for label, path, persona in pages}
    results, bare_runs = drive(env, pages, cookies, seconds=args.seconds, connections=args.connections)
    print_table(f"{args.cases:,} cases, {REGION_COUNT} regions, {DIRECTOR_COUNT} directors (database {args.database}), "
                f"gunicorn 2 sync workers, DEBUG off, Redis cache and sessions, wrk {args.connections} connections x "
                f"{args.seconds} s per page", results, counted, bare_runs)


if __name__ == "__main__":
    main()
