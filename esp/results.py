"""From scores to results: weighted means, per-reviewer z-scores, rankings with ties, the finalists' cut.
Pure functions over plain numbers; no database.

- A review's total is the weighted mean of its criteria's scores (1 to 5): sum(w * score) / sum(w).
- A nomination's raw total is the mean of its reviews' totals.
- Normalised: a review's z-score is (total - the reviewer's mean) / the reviewer's standard deviation
  (population standard deviation over every review that reviewer submitted in the round), which takes out
  how strict or lenient the reviewer is. Only a reviewer with at least `min_reviews` reviews is normalised
  against themself; the z-score of a review by anyone with fewer is taken against all the round's reviews
  (their own mean and spread are too uncertain). A reviewer whose totals are all equal (no spread) gives
  z = 0. A nomination's normalised total is the mean of its reviews' z-scores.
- Rankings use standard competition ranking: equal totals share a rank ("=2", "=2", then 4). Totals are
  compared after rounding to 9 decimal places, so float noise makes no tie and breaks none.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from math import sqrt

PLACES = 9


@dataclass(frozen=True)
class ReviewScores:
    nomination: object
    reviewer: object
    scores: dict  # criterion -> score (1..5)


@dataclass
class NominationResult:
    nomination: object
    reviews: int
    raw: float | None
    normalised: float | None
    raw_rank: str = ""
    normalised_rank: str = ""
    z_scores: dict = field(default_factory=dict)  # reviewer -> z


@dataclass
class RoundResults:
    rows: list  # NominationResult, best normalised first
    normalised_reviewers: set  # reviewers normalised against their own scores
    pooled_reviewers: set  # reviewers with too few reviews: against the pool
    pool_mean: float | None
    pool_sd: float | None


def weighted_mean(scores: dict, weights: dict) -> float:
    """sum(w * s) / sum(w) over the criteria scored. Weights are decimals with at most two places
    (Criterion.weight): summed as whole hundredths, so the only rounding is the one division, and equal
    totals come out as equal floats."""
    return _total(scores, {c: _hundredths(weights[c]) for c in scores})


def _total(scores: dict, hundredths: dict) -> float:
    numerator = sum(hundredths[c] * value for c, value in scores.items())
    denominator = sum(hundredths[c] for c in scores)
    if not denominator:
        raise ValueError("no weighted criterion scored")
    return numerator / denominator


def _hundredths(weight) -> int:
    return int(Decimal(str(weight)).scaleb(2).to_integral_value())


def mean_sd(values) -> tuple[float, float]:
    values = [float(v) for v in values]
    mean = sum(values) / len(values)
    return mean, sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _z(value, mean, sd) -> float:
    return 0.0 if sd == 0 else (float(value) - mean) / sd


def round_results(reviews, weights: dict, *, min_reviews: int, nominations=()) -> RoundResults:
    """Totals and ranks of a round's submitted reviews. `nominations` lists nominations to show even with no
    review (their totals are None and they rank last)."""
    hundredths = {c: _hundredths(w) for c, w in weights.items()}  # converted once, not per score
    totals = {(r.nomination, r.reviewer): _total(r.scores, hundredths) for r in reviews}
    by_reviewer, by_nomination = defaultdict(list), defaultdict(list)
    for (nomination, reviewer), total in totals.items():
        by_reviewer[reviewer].append(total)
        by_nomination[nomination].append((reviewer, total))
    pool_mean = pool_sd = None
    if totals:
        pool_mean, pool_sd = mean_sd(totals.values())
    stats, own, pooled = {}, set(), set()
    for reviewer, values in by_reviewer.items():
        if len(values) >= min_reviews:
            stats[reviewer] = mean_sd(values)
            own.add(reviewer)
        else:
            stats[reviewer] = (pool_mean, pool_sd)
            pooled.add(reviewer)
    rows = []
    for nomination in dict.fromkeys([*nominations, *by_nomination]):
        given = by_nomination.get(nomination, [])
        if not given:
            rows.append(NominationResult(nomination=nomination, reviews=0, raw=None, normalised=None))
            continue
        z_scores = {reviewer: _z(total, *stats[reviewer]) for reviewer, total in given}
        rows.append(NominationResult(
            nomination=nomination, reviews=len(given), raw=sum(t for _, t in given) / len(given),
            normalised=sum(z_scores.values()) / len(z_scores), z_scores=z_scores))
    for row, rank in zip(rows, competition_ranks([row.raw for row in rows]), strict=True):
        row.raw_rank = rank
    for row, rank in zip(rows, competition_ranks([row.normalised for row in rows]), strict=True):
        row.normalised_rank = rank
    rows.sort(key=lambda row: (row.normalised is None, -(row.normalised or 0), -(row.raw or 0)))
    return RoundResults(rows=rows, normalised_reviewers=own, pooled_reviewers=pooled, pool_mean=pool_mean,
                        pool_sd=pool_sd)


def competition_ranks(values) -> list[str]:
    """Each value's rank, highest first; equal values share a rank shown "=n"; None ranks nowhere ("")."""
    keys = [None if v is None else round(float(v), PLACES) for v in values]
    ordered = sorted((k for k in keys if k is not None), reverse=True)
    first, count = {}, defaultdict(int)
    for position, key in enumerate(ordered, 1):
        first.setdefault(key, position)
        count[key] += 1
    return ["" if k is None else (f"={first[k]}" if count[k] > 1 else str(first[k])) for k in keys]


@dataclass
class Cut:
    sure: list  # above the cut
    tied: list  # tied at the cut: staff choose `seats` of them
    seats: int


def finalist_cut(ranked, n: int) -> Cut:
    """`ranked`: [(nomination, total)] best first (None totals are never finalists). The top `n`, with any tie
    across the cut shown: the nominations sharing the n-th total, and how many of them can go through."""
    scored = [(nomination, round(total, PLACES)) for nomination, total in ranked if total is not None]
    if n <= 0 or not scored:
        return Cut(sure=[], tied=[], seats=0)
    if len(scored) <= n:
        return Cut(sure=[nomination for nomination, _ in scored], tied=[], seats=0)
    cut_value = scored[n - 1][1]
    above = [nomination for nomination, total in scored if total > cut_value]
    at = [nomination for nomination, total in scored if total == cut_value]
    if len(above) + len(at) == n:
        return Cut(sure=above + at, tied=[], seats=0)
    return Cut(sure=above, tied=at, seats=n - len(above))
