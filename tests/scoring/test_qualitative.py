"""The one join of consensus scores and the computed total (scoring/qualitative.py)."""

from __future__ import annotations

import pytest

from scoring.qualitative import QualitativePart, joined_total


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
