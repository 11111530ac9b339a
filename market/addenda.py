"""Pure rules of amending an OPEN RFP (addenda): which fields may change, which changes rescore
every proposal and which ask vendors to confirm, and how a deadline may move."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

# AmendRfpInput fields that are part of the scoring context (scoring.model.RfpContext).
CONTEXT_FIELDS = (
    "volume",
    "requirements",
    "monthlyBudget",
    "weights",
    "expectedHoursPerMonth",
    "expectedOutcomesPerMonth",
    "evaluationMonths",
)
# Changes to what is being bought: a proposal bid before them may no longer be what the vendor would
# offer, so it needs the vendor's confirmation (or a revision). Hours and outcomes are volumes too.
CONFIRMATION_FIELDS = (
    "volume",
    "requirements",
    "evaluationMonths",
    "expectedHoursPerMonth",
    "expectedOutcomesPerMonth",
)


def _top(path: str) -> str:
    return path.split(".", 1)[0]


def rescores(changed: Iterable[str]) -> bool:
    """Any change of the scoring context recomputes every live proposal's score."""
    return any(_top(path) in CONTEXT_FIELDS for path in changed)


def asks_confirmation(changed: Iterable[str]) -> bool:
    return any(_top(path) in CONFIRMATION_FIELDS for path in changed)


def deadline_move_error(current: datetime, proposed: datetime) -> str | None:
    """A deadline moves later, never earlier: sealed bids could otherwise be opened early, and
    vendors planning for the announced date would lose time."""
    if proposed < current:
        return "the submission deadline may move later, never earlier"
    return None
