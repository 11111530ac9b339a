"""ABNORMALLY_LOW_PRICE for a whole ranking in O(n log n).

`scoring.abnormally_low` takes the median of the other proposals once per proposal, sorting n - 1
costs each time: O(n² log n), about 90 s for 20,000 proposals. Here the costs are sorted once and the
median without one proposal is read from that sorted list, which gives the same Decimal values (same
elements, same `(a + b) / 2` in the same decimal context) and so the same findings, message included;
tests/api/test_exports.py checks the two agree.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext

from scoring.findings import finding
from scoring.model import DECIMAL_CONTEXT, Finding, FindingCode, round_money
from scoring.rank import ABNORMALLY_LOW_MIN_PROPOSALS, ABNORMALLY_LOW_SHARE


def abnormally_low(costs: Mapping[str, Decimal]) -> dict[str, Finding]:
    """What `scoring.abnormally_low(costs)` returns, computed from one sort."""
    if len(costs) < ABNORMALLY_LOW_MIN_PROPOSALS:
        return {}
    ordered = sorted(costs.values())
    flagged: dict[str, Finding] = {}
    with localcontext(DECIMAL_CONTEXT):
        for key, cost in costs.items():
            others = _median_without(ordered, bisect.bisect_left(ordered, cost))
            if cost < others * ABNORMALLY_LOW_SHARE:
                message = (
                    f"normalized monthly cost {round_money(cost)} is below half the median"
                    f" of the other proposals ({round_money(others)}): underinvestment risk"
                )
                flagged[key] = finding(FindingCode.ABNORMALLY_LOW_PRICE, message, "pricing")
    return flagged


def _median_without(ordered: Sequence[Decimal], removed: int) -> Decimal:
    """statistics.median of `ordered` without the element at index `removed`."""
    size = len(ordered) - 1

    def at(index: int) -> Decimal:
        # Positions at or after the removed element shift one place to the right.
        return ordered[index if index < removed else index + 1]

    middle = size // 2
    if size % 2:
        return at(middle)
    return (at(middle - 1) + at(middle)) / 2
