"""The one join of consensus scores and the computed total (scoring/qualitative.py)."""

from __future__ import annotations

import pytest

from scoring.qualitative import JoinedCandidate, QualitativePart, joined_rank_stability, joined_total


def test_consensus_joins_the_computed_total_by_weight() -> None:
    parts = [QualitativePart(0.2, 5, 4), QualitativePart(0.1, 10, 5)]
    joined = joined_total(80.0, parts)
    assert joined.total == pytest.approx(80 * 0.7 + 0.2 * 100 * 4 / 5 + 0.1 * 100 * 5 / 10)
    assert joined.complete


def test_a_missing_consensus_counts_zero_and_marks_the_total_incomplete() -> None:
    joined = joined_total(80.0, [QualitativePart(0.2, 5, None), QualitativePart(0.1, 10, 10)])
    assert joined.total == pytest.approx(80 * 0.7 + 10)
    assert not joined.complete


def test_perfect_everywhere_is_exactly_100() -> None:
    assert joined_total(100.0, [QualitativePart(0.3, 10, 10), QualitativePart(0.15, 5, 5)]).total == 100.0


def test_rank_stability_counts_the_qualitative_criteria() -> None:
    # Equal on the computed criteria; A far ahead on the qualitative one: A always wins.
    a = JoinedCandidate(0, True, (70.0, 70.0, 70.0, 100.0))
    b = JoinedCandidate(0, True, (70.0, 70.0, 70.0, 20.0))
    assert joined_rank_stability([a, b], [0.3, 0.2, 0.2, 0.3]) == 1.0
    # B better on cost, A on the qualitative criterion: the winner depends on the draw.
    c = JoinedCandidate(0, True, (70.0, 70.0, 60.0, 80.0))
    d = JoinedCandidate(0, True, (70.0, 70.0, 84.0, 60.0))
    stability = joined_rank_stability([c, d], [0.3, 0.2, 0.25, 0.25])
    assert stability is not None and 0 < stability < 1


def test_an_incomplete_evaluation_never_wins_over_a_complete_one() -> None:
    complete = JoinedCandidate(0, True, (10.0, 10.0, 10.0, 0.0))
    incomplete = JoinedCandidate(0, False, (100.0, 100.0, 100.0, 0.0))
    assert joined_rank_stability([incomplete, complete], [0.3, 0.3, 0.3, 0.1]) == 1.0
    assert joined_rank_stability([complete], [0.3, 0.3, 0.3, 0.1]) is None
