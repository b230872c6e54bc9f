"""Results: weighted means, per-reviewer z-scores (hand-computed), the pooled fallback, ranks with ties and
the finalists' cut; then the results page (what it states, its query count)."""

from math import sqrt

import pytest

from esp.results import ReviewScores, competition_ranks, finalist_cut, round_results, weighted_mean
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user, submit_review

WEIGHTS = {"a": 1, "b": 3}
# X is strict, Y lenient. Review totals (weights 1 and 3): X 2, 3, 1; Y 4, 5, (5 + 3*3)/4 = 3.5.
REVIEWS = [
    ReviewScores("N1", "X", {"a": 2, "b": 2}), ReviewScores("N2", "X", {"a": 3, "b": 3}),
    ReviewScores("N3", "X", {"a": 1, "b": 1}), ReviewScores("N1", "Y", {"a": 4, "b": 4}),
    ReviewScores("N2", "Y", {"a": 5, "b": 5}), ReviewScores("N3", "Y", {"a": 5, "b": 3}),
]


def by_nomination(results):
    return {row.nomination: row for row in results.rows}


def test_weighted_mean_is_exact():
    assert weighted_mean({"a": 5, "b": 3}, WEIGHTS) == pytest.approx(3.5)
    assert weighted_mean({"a": 4}, {"a": "1.50"}) == 4


def test_z_scores_per_reviewer_by_hand():
    results = round_results(REVIEWS, WEIGHTS, min_reviews=3)
    rows = by_nomination(results)
    # X: mean 2, population sd sqrt(2/3). Y: mean 12.5/3, sd sqrt(((-1/6)^2 + (5/6)^2 + (-2/3)^2) / 3) = sqrt(7/18).
    sd_x, mean_y, sd_y = sqrt(2 / 3), 12.5 / 3, sqrt(7 / 18)
    assert rows["N1"].z_scores == pytest.approx({"X": 0.0, "Y": (4 - mean_y) / sd_y})
    assert rows["N2"].z_scores == pytest.approx({"X": 1 / sd_x, "Y": (5 - mean_y) / sd_y})
    assert rows["N3"].z_scores["X"] == pytest.approx(-1 / sd_x)
    assert rows["N1"].normalised == pytest.approx(-0.1336306)
    assert rows["N2"].normalised == pytest.approx(1.2805255)
    assert rows["N3"].normalised == pytest.approx(-1.1468949)
    assert {n: r.raw for n, r in rows.items()} == {"N1": 3.0, "N2": 4.0, "N3": 2.25}
    assert results.normalised_reviewers == {"X", "Y"} and results.pooled_reviewers == set()
    assert [r.nomination for r in results.rows] == ["N2", "N1", "N3"]


def test_too_few_reviews_are_measured_against_the_pool():
    results = round_results(REVIEWS, WEIGHTS, min_reviews=4)
    # The six totals 2, 3, 1, 4, 5, 3.5: mean 18.5/6, population sd sqrt(10.208333/6).
    mean, sd = 18.5 / 6, sqrt(sum((t - 18.5 / 6) ** 2 for t in (2, 3, 1, 4, 5, 3.5)) / 6)
    assert results.pool_mean == pytest.approx(mean) and results.pool_sd == pytest.approx(sd)
    assert results.pooled_reviewers == {"X", "Y"}
    rows = by_nomination(results)
    assert rows["N1"].z_scores == pytest.approx({"X": (2 - mean) / sd, "Y": (4 - mean) / sd})
    assert rows["N1"].normalised == pytest.approx((3 - mean) / sd)


def test_mixed_normalised_and_pooled_reviewers():
    reviews = REVIEWS + [ReviewScores("N1", "Z", {"a": 5, "b": 5})]
    results = round_results(reviews, WEIGHTS, min_reviews=3)
    assert results.normalised_reviewers == {"X", "Y"} and results.pooled_reviewers == {"Z"}
    assert by_nomination(results)["N1"].reviews == 3


def test_a_reviewer_without_spread_gives_zero():
    reviews = [ReviewScores(n, "X", {"a": 3, "b": 3}) for n in ("N1", "N2")]
    results = round_results(reviews, WEIGHTS, min_reviews=2)
    assert [r.normalised for r in results.rows] == [0.0, 0.0]
    assert [r.normalised_rank for r in results.rows] == ["=1", "=1"]


def test_unreviewed_nominations_rank_last_without_a_total():
    results = round_results(REVIEWS, WEIGHTS, min_reviews=3, nominations=["N4"])
    assert results.rows[-1].nomination == "N4" and results.rows[-1].raw is None and results.rows[-1].raw_rank == ""


RANKS = [
    ([5, 4, 4, 3], ["1", "=2", "=2", "4"]),
    ([1, 1, 1], ["=1", "=1", "=1"]),
    ([2.0, 2.0000000000001, 1], ["=1", "=1", "3"]),  # float noise makes no rank
    ([3, None, 3], ["=1", "", "=1"]),
    ([1, 2, 3], ["3", "2", "1"]),
    ([], []),
]


@pytest.mark.parametrize("values,expected", RANKS)
def test_competition_ranks(values, expected):
    assert competition_ranks(values) == expected


CUTS = [
    # ranked totals, n -> (sure, tied, seats)
    ([("a", 3), ("b", 2), ("c", 2), ("d", 1)], 2, (["a"], ["b", "c"], 1)),
    ([("a", 3), ("b", 2), ("c", 2), ("d", 1)], 3, (["a", "b", "c"], [], 0)),
    ([("a", 3), ("b", 2), ("c", 2), ("d", 1)], 1, (["a"], [], 0)),
    ([("a", 2), ("b", 2), ("c", 2), ("d", 2)], 3, ([], ["a", "b", "c", "d"], 3)),
    ([("a", 3), ("b", None)], 2, (["a"], [], 0)),
    ([("a", 3), ("b", 1)], 5, (["a", "b"], [], 0)),
    ([], 3, ([], [], 0)),
]


@pytest.mark.parametrize("ranked,n,expected", CUTS)
def test_finalist_cut(ranked, n, expected):
    cut = finalist_cut(ranked, n)
    assert (cut.sure, cut.tied, cut.seats) == expected


@pytest.fixture
def scored_cycle(world, member):
    cycle = AwardCycleFactory(phase="review", finalist_count=2, min_scores_for_normalising=3)
    reviewers = [reviewer_user() for _ in range(3)]
    nominations = [nomination_for_review(cycle, nominator=member, employer_district=world.district_b,
                                         local=world.local_b, legal_last_name=f"Nominee{i}") for i in range(4)]
    # Nominees 1 and 2 tie exactly (same scores from the same reviewers): a tie at the cut of 2.
    for reviewer, values in zip(reviewers[:2], ([5, 3, 3, 1], [4, 2, 2, 1]), strict=True):
        for nomination, value in zip(nominations, values, strict=True):
            submit_review(nomination, reviewer, value)
    submit_review(nominations[0], reviewers[2], 5)  # one review only: measured against the pool
    return cycle, nominations


def test_results_page_shows_ties_and_the_rule(scored_cycle, awards, client):
    cycle, nominations = scored_cycle
    client.force_login(awards)
    page = client.get(f"/esp/awards/staff/review/cycles/{cycle.pk}/results/").content.decode()
    assert "at least 3 nominations in this round: 2 reviewers did" in page
    assert page.count("<td>=2</td>") == 4  # raw and normalised ranks of the two tied nominees
    assert "A tie at the cut" in page and "(tied at the cut)" in page


def test_results_page_queries_do_not_grow(scored_cycle, awards, client, django_assert_max_num_queries, world, member):
    cycle, nominations = scored_cycle
    client.force_login(awards)
    url = f"/esp/awards/staff/review/cycles/{cycle.pk}/results/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    reviewer = reviewer_user()
    for i in range(8):
        nomination = nomination_for_review(cycle, nominator=member, employer_district=world.district_b,
                                           local=world.local_b)
        submit_review(nomination, reviewer, 1 + i % 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
