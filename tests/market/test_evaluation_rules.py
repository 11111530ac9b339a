"""The evaluation team's pure rules (market/evaluation.py): weights, scores, justifications, outliers."""

from __future__ import annotations

import pytest

from market.evaluation import justification_problem, mean_and_spread, outliers, score_problem, weights_problem
from scoring.model import Weights


def test_weights_with_qualitative_criteria_sum_to_one() -> None:
    computed = Weights(sla_quality=0.3, lock_in=0.2, cost=0.2)
    assert weights_problem(computed, [0.2, 0.1]) is None
    assert weights_problem(computed, [0.2]) is not None
    assert weights_problem(Weights(sla_quality=4, lock_in=1, cost=5), []) is None  # normalized as before


@pytest.mark.parametrize(
    ("score", "scale", "ok"),
    [(0, 5, True), (5, 5, True), (2.5, 5, False), (6, 5, False), (-1, 10, False), (10, 10, True)],
)
def test_scores_are_whole_levels_of_the_scale(score: float, scale: int, ok: bool) -> None:
    assert (score_problem(score, scale) is None) is ok


@pytest.mark.parametrize(
    ("score", "text", "ok"),
    [(3, "", True), (0, "", False), (5, "Great.", False), (5, "Named staff, proven in two takeovers.", True)],
)
def test_justification_is_required_at_the_extremes(score: float, text: str, ok: bool) -> None:
    assert (justification_problem(score, 5, text) is None) is ok


def test_mean_spread_and_outliers() -> None:
    assert mean_and_spread([4, 1]) == (2.5, 3)
    assert outliers({"a": 4, "b": 1}, 5) == {"a", "b"}  # 3 apart on a 0-5 scale: both flagged
    assert outliers({"a": 4, "b": 3, "c": 4}, 5) == frozenset()
    assert outliers({"a": 9, "b": 3, "c": 3}, 10) == {"a"}
    assert outliers({"a": 4}, 5) == frozenset()  # alone, nobody to differ from
