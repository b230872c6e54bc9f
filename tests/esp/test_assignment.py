"""Balanced assignment: the min-cost flow against brute force on small pools (every way of giving each
nomination k reviewers), then the service (conflicts never used, manual assignments kept, shortfalls said)."""

import itertools
import random

import pytest

from esp.assignment import plan_assignments
from esp.models import ReviewAssignment
from esp.services.assignment import assignment_add, assignments_auto
from mae_portal.models import AuditLog
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user


def brute_force(nominations, reviewers, k, conflicts, existing):
    """(best max load, best spread, best sum of squares) over every assignment that gives each nomination
    k reviewers, or None when none does."""
    options = []
    for n in nominations:
        kept = [r for r in reviewers if (n, r) in existing]
        free = [r for r in reviewers if (n, r) not in conflicts and (n, r) not in existing]
        need = k - len(kept)
        options.append([tuple(kept) + extra for extra in itertools.combinations(free, need)] if need >= 0 else [])
    best = None
    for choice in itertools.product(*options):
        loads = dict.fromkeys(reviewers, 0)
        for chosen in choice:
            for r in chosen:
                loads[r] += 1
        values = list(loads.values())
        score = (max(values), max(values) - min(values), sum(v * v for v in values))
        best = score if best is None else tuple(min(a, b) for a, b in zip(best, score, strict=True))
    return best


def check(plan, nominations, reviewers, k, conflicts, existing):
    pairs = set(plan.new) | set(existing)
    assert not set(plan.new) & set(conflicts), "a conflicted pair was assigned"
    assert not set(plan.new) & set(existing), "an existing pair was assigned twice"
    for n in nominations:
        assert sum(1 for pair in pairs if pair[0] == n) == k - plan.shortfall.get(n, 0)
    loads = {r: sum(1 for pair in pairs if pair[1] == r) for r in reviewers}
    assert loads == plan.loads


CASES = [
    # (label, nominations, reviewers, k, conflicts, existing)
    ("4x4 k=2, no conflicts", 4, 4, 2, set(), set()),
    ("4x4 k=2, conflicts", 4, 4, 2, {(0, 0), (1, 0), (2, 1)}, set()),
    ("4x4 k=2, one reviewer conflicted with most", 4, 4, 2, {(0, 3), (1, 3), (2, 3)}, set()),
    ("4x4 k=2, manual assignments kept", 4, 4, 2, {(3, 1)}, {(0, 0), (1, 0), (2, 0)}),
    ("5x3 k=2: loads 4,3,3", 5, 3, 2, set(), set()),
    ("3x5 k=1", 3, 5, 1, {(0, 0)}, set()),
    ("4x4 k=3, a reviewer conflicted with everyone", 4, 4, 3, {(n, 0) for n in range(4)}, set()),
    ("4x4 k=2, conflicts force imbalance", 4, 4, 2, {(n, r) for n in range(4) for r in (2, 3)} - {(0, 2), (0, 3)}, set()),
]


@pytest.mark.parametrize("label,n,r,k,conflicts,existing", CASES, ids=[c[0] for c in CASES])
def test_optimal_on_small_pools(label, n, r, k, conflicts, existing):
    nominations, reviewers = list(range(n)), list(range(r))
    plan = plan_assignments(nominations=nominations, reviewers=reviewers, k=k, conflicts=conflicts, existing=existing)
    check(plan, nominations, reviewers, k, conflicts, existing)
    best = brute_force(nominations, reviewers, k, conflicts, existing)
    assert best is not None and plan.feasible
    values = list(plan.loads.values())
    assert max(values) == best[0]
    assert max(values) - min(values) == best[1]
    assert sum(v * v for v in values) == best[2]


@pytest.mark.parametrize("seed", range(30))
def test_random_small_pools_match_brute_force(seed):
    rng = random.Random(seed)
    n, r, k = rng.randint(2, 4), rng.randint(2, 4), rng.randint(1, 2)
    nominations, reviewers = list(range(n)), list(range(r))
    pairs = [(a, b) for a in nominations for b in reviewers]
    conflicts = {p for p in pairs if rng.random() < 0.2}
    existing = {p for p in pairs if p not in conflicts and rng.random() < 0.1}
    existing = {p for p in existing if sum(1 for q in existing if q[0] == p[0]) <= k}
    plan = plan_assignments(nominations=nominations, reviewers=reviewers, k=k, conflicts=conflicts, existing=existing)
    check(plan, nominations, reviewers, k, conflicts, existing)
    best = brute_force(nominations, reviewers, k, conflicts, existing)
    if best is None:
        assert not plan.feasible
    else:
        assert plan.feasible
        values = list(plan.loads.values())
        assert (max(values), max(values) - min(values), sum(v * v for v in values)) == best


def test_balanced_when_feasible_on_a_larger_pool():
    plan = plan_assignments(nominations=range(50), reviewers=range(7), k=3,
                            conflicts={(n, n % 7) for n in range(50)})
    assert plan.feasible and plan.spread <= 1
    assert sum(plan.loads.values()) == 150


def test_infeasible_names_the_shortfall():
    # Two reviewers, one conflicted with nomination 0: it can get one reviewer of the three it needs.
    plan = plan_assignments(nominations=[0, 1], reviewers=["a", "b"], k=3, conflicts={(0, "a")})
    assert plan.shortfall == {0: 2, 1: 1}
    assert set(plan.new) == {(0, "b"), (1, "a"), (1, "b")}


def test_nothing_to_do():
    plan = plan_assignments(nominations=[0], reviewers=["a"], k=1, existing={(0, "a")})
    assert plan.new == [] and plan.feasible and plan.loads == {"a": 1}


@pytest.fixture
def pool(world, member, awards):
    cycle = AwardCycleFactory(phase="review", reviewers_per_nomination=2)
    nominations = [nomination_for_review(cycle, nominator=member, employer_district=world.district_b,
                                         local=world.local_b) for _ in range(5)]
    reviewers = [reviewer_user() for _ in range(3)]
    return cycle, nominations, reviewers


def test_auto_assign_keeps_manual_and_never_uses_a_conflict(pool, awards):
    cycle, nominations, reviewers = pool
    manual = assignment_add(nomination=nominations[0], reviewer=reviewers[0], round="review", actor=awards)
    from esp.services.conflicts import conflict_declare

    conflict_declare(nomination=nominations[1], reviewer=reviewers[2], kind="relative")
    result = assignments_auto(cycle=cycle, round="review", actor=awards)
    assert result.plan.feasible
    assert ReviewAssignment.objects.filter(pk=manual.pk, automatic=False).exists()
    assert not ReviewAssignment.objects.filter(nomination=nominations[1], reviewer=reviewers[2]).exists()
    for nomination in nominations:
        assert nomination.assignments.count() == 2
    loads = [ReviewAssignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert sorted(loads) == [3, 3, 4]
    assert AuditLog.objects.filter(action="esp.review.assignment_added").count() == 1 + 5
    again = assignments_auto(cycle=cycle, round="review", actor=awards)
    assert again.created == 0


def test_auto_assign_reports_too_few_reviewers(pool, awards):
    cycle, nominations, reviewers = pool
    cycle.reviewers_per_nomination = 4
    cycle.save()
    result = assignments_auto(cycle=cycle, round="review", actor=awards)
    assert result.plan.shortfall == {n.pk: 1 for n in nominations}
    entry = AuditLog.objects.get(action="esp.review.assignments_auto")
    assert entry.changes["shortfall"] == {str(n.pk): 1 for n in nominations}


def test_the_staff_page_says_when_reviewers_are_short(pool, awards, client):
    cycle, nominations, reviewers = pool
    cycle.reviewers_per_nomination = 4
    cycle.save()
    client.force_login(awards)
    response = client.post(f"/esp/awards/staff/review/cycles/{cycle.pk}/assign/", {"round": "review"}, follow=True)
    assert "Not every nomination could get 4 reviewers: 5 nomination(s) are short of 5 reviewer(s)" in \
        response.content.decode()
