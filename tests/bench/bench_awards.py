"""ESP of the Year review at size: 500 nominations and 40 reviewers.

Not a test (pytest does not collect it) and it asserts nothing about seconds: it prints figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mae_perf REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python tests/bench/bench_awards.py --seconds 10

It drops and creates a separate database (mae_bench_awards unless --database says otherwise; --reuse keeps one
loaded by an earlier run), loads the members demo (districts, worksites, locals, members), 40 award reviewers
with member records of their own (so the records show conflicts), an awards staff user and a cycle with 500
nominations that passed screening. It then times conflict detection with automatic assignment (k = 3:
1,500 assignments, through the service, audit entries included) and the solver alone, submits every review,
and drives the review queue (a reviewer with ~38 assignments) and the results page (500 rows, z-scores
computed per request) under gunicorn beside tests/bench/bench_pages.py's bare view, with its helpers.
"""

import os
import random
import sys
import time
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

NOMINATIONS, REVIEWERS, K = 500, 40, 3


def load(args) -> None:
    """In a child process with DEBUG on: the members demo, reviewers, the cycle and its nominations."""
    from tests.bench import bench_membership

    started = time.perf_counter()
    bench_membership.recreate_database(args.database)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "mae_portal.settings", "CELERY_BROKER_URL": "memory://",
                       "EMAIL_URL": "dummymail://"})
    import django

    django.setup()
    from datetime import timedelta

    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from esp.models import AwardCycle, Criterion, Nomination, NominationStatement
    from esp.models.awards import CRITERIA
    from mae_portal.permissions import Groups
    from members.demo import load_demo
    from members.models import Member, User, Worksite

    call_command("migrate", verbosity=0)
    load_demo(member_count=NOMINATIONS + 50, today=timezone.localdate())
    rng = random.Random(9)
    reviewers_group, _ = Group.objects.get_or_create(name=Groups.AWARD_REVIEWERS)
    staff_group, _ = Group.objects.get_or_create(name=Groups.AWARDS_STAFF)
    awards, _ = User.objects.get_or_create(email="awards@example.org", defaults={"is_staff": True})
    awards.groups.add(staff_group)
    TOTP.activate(awards, TOTP_SECRET)
    sites = list(Worksite.objects.select_related("district"))
    for number in range(REVIEWERS):
        user = User.objects.create(email=f"bench.reviewer{number}@example.org", first_name="Bench",
                                   last_name=f"Reviewer{number}")
        user.groups.add(reviewers_group)
        TOTP.activate(user, TOTP_SECRET)
        site = rng.choice(sites)
        Member.objects.create(user=user, legal_first_name="Bench", legal_last_name=f"Reviewer{number}",
                              email=user.email, employer_district=site.district, worksite=site,
                              job_title=rng.choice(["Bus driver", "Principal", "Custodian", "Paraeducator"]))
    now = timezone.now()
    cycle = AwardCycle.objects.create(
        year=2027, phase=AwardCycle.Phase.REVIEW, nominations_open_at=now - timedelta(days=90),
        nominations_close_at=now - timedelta(days=30), screening_ends_on=now.date(),
        review_opens_on=now.date(), review_closes_on=now.date(), finalists_on=now.date(), winner_on=now.date(),
        reviewers_per_nomination=K, finalist_count=5)
    criteria = [Criterion.objects.create(cycle=cycle, order=order, name=name, description=description)
                for order, (name, description) in enumerate(CRITERIA, 1)]
    nominees = Member.objects.filter(user__isnull=True).order_by("pk")[:NOMINATIONS]
    nominations = Nomination.objects.bulk_create([
        Nomination(cycle=cycle, nominee=nominee, nominator=awards, status=Nomination.Status.SCREENED_IN,
                   submitted_at=now, nominator_statement="Keeps every route running.") for nominee in nominees])
    NominationStatement.objects.bulk_create([
        NominationStatement(nomination=n, criterion=c, text=f"Statement on {c.name}.")
        for n in nominations for c in criteria])
    print(f"Loaded {args.database}: {len(nominations)} nominations, {REVIEWERS} reviewers in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


def assign_and_score():
    """Time the assignment (the whole service, then the solver alone on the same input), then submit every
    review with random scores."""
    from django.db.models import Count
    from django.utils import timezone

    from esp.assignment import plan_assignments
    from esp.models import AwardCycle, Conflict, Criterion, Nomination, Review, ReviewAssignment, Score
    from esp.selectors.review import award_reviewers
    from esp.services.assignment import assignments_auto
    from members.models import User

    cycle = AwardCycle.objects.get(year=2027)
    awards = User.objects.get(email="awards@example.org")
    ReviewAssignment.objects.filter(nomination__cycle=cycle).delete()
    started = time.perf_counter()
    result = assignments_auto(cycle=cycle, round="review", actor=awards)
    service_seconds = time.perf_counter() - started
    nominations = list(Nomination.objects.filter(cycle=cycle, status="screened_in").values_list("pk", flat=True))
    reviewers = list(award_reviewers().values_list("pk", flat=True))
    conflicts = list(Conflict.objects.filter(nomination__cycle=cycle).values_list("nomination_id", "reviewer_id"))
    started = time.perf_counter()
    plan_assignments(nominations=nominations, reviewers=reviewers, k=K, conflicts=conflicts)
    solver_seconds = time.perf_counter() - started
    loads = result.plan.loads.values()
    print(f"Assignment: {result.created:,} assignments for {result.nominations} nominations x {result.reviewers} "
          f"reviewers (k={K}, {len(conflicts)} conflicts from the records): {service_seconds:.2f} s through the "
          f"service (conflict detection, solver, inserts, audit), {solver_seconds:.2f} s the solver alone; "
          f"loads {min(loads)} to {max(loads)}, shortfall {sum(result.plan.shortfall.values())}", flush=True)

    rng = random.Random(3)
    criteria = list(Criterion.objects.filter(cycle=cycle, round="review"))
    reviews = Review.objects.bulk_create([Review(assignment=a, submitted_at=timezone.now())
                                          for a in ReviewAssignment.objects.filter(nomination__cycle=cycle)])
    Score.objects.bulk_create([Score(review=review, criterion=c, value=rng.randint(1, 5))
                               for review in reviews for c in criteria])
    busiest = (ReviewAssignment.objects.filter(nomination__cycle=cycle).values("reviewer__email")
               .order_by().annotate(n=Count("pk")).order_by("-n").first())
    return cycle, busiest["reviewer__email"]


def main():
    args = arguments(__doc__, database="mae_bench_awards")
    if args.load:
        return load(args)
    env = prepare(args, [PYTHON, __file__, "--load", "--database", args.database])
    from members.models import User

    cycle, busiest = assign_and_score()
    cookies = {email: session_cookie(User.objects.get(email=email)) for email in ("awards@example.org", busiest)}
    pages = [
        ("review queue (reviewer)", "/esp/review/", busiest),
        ("results (500 rows)", f"/esp/awards/staff/review/cycles/{cycle.pk}/results/", "awards@example.org"),
        ("assignments overview", f"/esp/awards/staff/review/cycles/{cycle.pk}/", "awards@example.org"),
    ]
    pages = chosen(pages, args)
    counted = {label: queries_per_request(path, cookies[persona]) for label, path, persona in pages}
    results, bare_runs = drive(env, pages, cookies, seconds=args.seconds, connections=args.connections)
    print_table(f"{NOMINATIONS} nominations, {REVIEWERS} reviewers (database {args.database}), gunicorn 2 sync "
                f"workers, DEBUG off, wrk {args.connections} connections x {args.seconds} s per page",
                results, counted, bare_runs)


if __name__ == "__main__":
    main()
