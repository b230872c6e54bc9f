"""Automatic assignment of reviewers to nominations: a min-cost flow, no database.

Each nomination needs `k` reviewers; a reviewer reviews a nomination at most once and never one they
have a conflict with; assignments already made (by hand, or by an earlier run) are kept and count
towards both the nomination's k and the reviewer's load. Among the assignments that give every
nomination as many reviewers as can be had, we take one whose loads are as even as possible.

The flow network (networkx.network_simplex, integral):

    source --(need of n)--> nomination n --(1, if allowed)--> reviewer r ==> sink

where r ==> sink is a ladder of unit arcs, the j-th extra review of r costing 2*(e_r + j) - 1 (e_r: r's
load from kept assignments). A flow of these arcs costs sum(load_r^2) up to a constant: a separable convex
cost, so the cheapest flow has the most even loads (on the polymatroid of reachable load vectors the
least-squares point is also the one with the smallest maximum: Fujishige; tests check it against brute
force). An arc source -> sink, costlier than any assignment, absorbs what cannot be placed, so an
infeasible case still returns the best partial answer with the shortfall named, never silently.

The ladder only needs as many rungs as a reviewer's load can reach; we start near the average load and
double the rungs while some reviewer uses them all (an optimum that uses no top rung is an optimum of the
uncut problem: any cheaper cycle would use the cheaper rung below instead).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil


class AssignmentInfeasible(Exception):
    pass


@dataclass
class AssignmentPlan:
    new: list  # [(nomination, reviewer)] to create
    loads: dict  # reviewer -> load after the plan (kept + new)
    shortfall: dict = field(default_factory=dict)  # nomination -> reviewers still missing

    @property
    def feasible(self) -> bool:
        return not self.shortfall

    @property
    def spread(self) -> int:
        return (max(self.loads.values()) - min(self.loads.values())) if self.loads else 0


def plan_assignments(*, nominations, reviewers, k: int, conflicts=(), existing=()) -> AssignmentPlan:
    """Which (nomination, reviewer) pairs to add so that each nomination has `k` reviewers, no conflicted
    pair is used, `existing` pairs are kept, and loads are as even as they can be.

    `nominations`, `reviewers`: hashable ids; `conflicts`, `existing`: iterables of (nomination, reviewer).
    Existing pairs with a reviewer outside `reviewers` count for their nomination only."""
    import networkx as nx

    nominations, reviewers = list(dict.fromkeys(nominations)), list(dict.fromkeys(reviewers))
    conflicts, existing = set(conflicts), set(existing)
    have = defaultdict(int)
    kept_load = dict.fromkeys(reviewers, 0)
    for nomination, reviewer in existing:
        have[nomination] += 1
        if reviewer in kept_load:
            kept_load[reviewer] += 1
    need = {n: max(0, k - have[n]) for n in nominations}
    allowed = {r: [n for n in nominations if need[n] and (n, r) not in conflicts and (n, r) not in existing]
               for r in reviewers}
    total = sum(need.values())
    if total == 0 or not reviewers:
        shortfall = {n: need[n] for n in nominations if need[n]}
        return AssignmentPlan(new=[], loads=dict(kept_load), shortfall=shortfall)

    rungs = ceil((total + sum(kept_load.values())) / len(reviewers)) + 1
    while True:
        flow, used_top = _solve(nx, nominations, reviewers, need, allowed, kept_load, rungs, total)
        capped = [r for r in reviewers if rungs < len(allowed[r]) and used_top[r]]
        if not capped:
            break
        rungs *= 2
    new = [(n, r) for r in reviewers for n in allowed[r] if flow[("n", n)].get(("r", r), 0)]
    loads = dict(kept_load)
    placed = defaultdict(int)
    for n, r in new:
        loads[r] += 1
        placed[n] += 1
    shortfall = {n: need[n] - placed[n] for n in nominations if need[n] > placed[n]}
    return AssignmentPlan(new=sorted(new, key=lambda pair: (nominations.index(pair[0]), reviewers.index(pair[1]))),
                          loads=loads, shortfall=shortfall)


def _solve(nx, nominations, reviewers, need, allowed, kept_load, rungs, total):
    graph = nx.DiGraph()
    graph.add_node("source", demand=-total)
    graph.add_node("sink", demand=total)
    worst = 2 * (max(kept_load.values()) + rungs) + 1
    # Leaving one review unplaced costs more than any way of placing it.
    graph.add_edge("source", "sink", capacity=total, weight=worst * (len(nominations) + 1) + 1)
    for n in nominations:
        if need[n]:
            graph.add_edge("source", ("n", n), capacity=need[n], weight=0)
    for r in reviewers:
        for n in allowed[r]:
            graph.add_edge(("n", n), ("r", r), capacity=1, weight=0)
        for j in range(1, min(rungs, len(allowed[r])) + 1):
            # A DiGraph has one arc per pair: each rung goes through a node of its own.
            graph.add_edge(("r", r), ("rung", r, j), capacity=1, weight=2 * (kept_load[r] + j) - 1)
            graph.add_edge(("rung", r, j), "sink", capacity=1, weight=0)
    _, flow = nx.network_simplex(graph)
    used_top = {r: bool(flow.get(("r", r), {}).get(("rung", r, rungs), 0)) for r in reviewers}
    return flow, used_top
