"""Live updates, pure: which audit actions become which subscription events, and the event records.

Every change already writes its audit event in the same transaction as the change (api/services),
so the `audit_events` collection is the event log: subscriptions follow it through a MongoDB change
stream. Who may receive an event is decided by the predicates of market/visibility.py, the same
ones queries use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from market import addenda


class RfpEventKind(str, Enum):
    PUBLISHED = "PUBLISHED"
    DEADLINE_CHANGED = "DEADLINE_CHANGED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"
    AWARDED = "AWARDED"
    CLARIFICATION_PUBLISHED = "CLARIFICATION_PUBLISHED"
    AMENDED = "AMENDED"


class ProposalEventKind(str, Enum):
    SUBMITTED = "SUBMITTED"
    REVISED = "REVISED"
    WITHDRAWN = "WITHDRAWN"
    SHORTLISTED = "SHORTLISTED"
    AWARDED = "AWARDED"
    REJECTED = "REJECTED"
    RESCORED = "RESCORED"
    NEEDS_CONFIRMATION = "NEEDS_CONFIRMATION"


# Audit actions on an RFP (api/services/rfps.py) that vendors hear about. "created" is a draft only
# its buyer sees; "weightsUpdated" moves the ranking (rankingChanged), not the RFP's terms.
RFP_EVENT_KINDS: dict[str, RfpEventKind] = {
    "published": RfpEventKind.PUBLISHED,
    "deadlineChanged": RfpEventKind.DEADLINE_CHANGED,
    "closed": RfpEventKind.CLOSED,
    "cancelled": RfpEventKind.CANCELLED,
    "awarded": RfpEventKind.AWARDED,
    # A clarification published at once, or a vendor's question answered (answers go to every
    # bidder). A question asked or declined stays between its vendor and the buyer: no event.
    "clarificationPublished": RfpEventKind.CLARIFICATION_PUBLISHED,
    "clarificationAnswered": RfpEventKind.CLARIFICATION_PUBLISHED,
    "amended": RfpEventKind.AMENDED,
}

# Audit actions on a proposal (api/services/proposals.py, rfps.award_proposal, rescore).
PROPOSAL_EVENT_KINDS: dict[str, ProposalEventKind] = {
    "submitted": ProposalEventKind.SUBMITTED,
    "revised": ProposalEventKind.REVISED,
    "withdrawn": ProposalEventKind.WITHDRAWN,
    "shortlisted": ProposalEventKind.SHORTLISTED,
    "awarded": ProposalEventKind.AWARDED,
    "rejected": ProposalEventKind.REJECTED,
    "rescored": ProposalEventKind.RESCORED,
    "needsConfirmation": ProposalEventKind.NEEDS_CONFIRMATION,
}

# What moves an RFP's ranking or its proposal count: a proposal's arrival, change or departure, a
# consensus score entering its overall total (issue 17), and the buyer's re-weighting of the RFP.
RANKING_PROPOSAL_ACTIONS = frozenset({"submitted", "revised", "withdrawn", "rescored", "consensusRecorded"})
RANKING_RFP_ACTIONS = frozenset({"weightsUpdated"})


def rfp_event_kinds(action: str, fields: Sequence[str]) -> tuple[RfpEventKind, ...]:
    """The RFP events one audit event on an RFP makes: an addendum that moves the submission
    deadline is AMENDED and DEADLINE_CHANGED (one audit event, written in the addendum's transaction)."""
    kind = RFP_EVENT_KINDS.get(action)
    if kind is None:
        return ()
    if kind is RfpEventKind.AMENDED and "submissionDeadline" in fields:
        return kind, RfpEventKind.DEADLINE_CHANGED
    return (kind,)


def moves_ranking(action: str, fields: Sequence[str], fields_omitted: int, on_proposal: bool) -> bool:
    """Whether an audit event may move an RFP's ranking or proposal count: a proposal's arrival,
    change or departure, a re-weighting, an addendum that rescored every proposal (when the audit
    event's field list was cut short, it is assumed to have)."""
    if on_proposal:
        return action in RANKING_PROPOSAL_ACTIONS
    if action == "amended":
        return fields_omitted > 0 or addenda.rescores(fields)
    return action in RANKING_RFP_ACTIONS


@dataclass(frozen=True)
class RfpEventRecord:
    rfp_id: str
    kind: RfpEventKind
    at: datetime


@dataclass(frozen=True)
class ProposalEventRecord:
    proposal_id: str
    rfp_id: str
    kind: ProposalEventKind
    at: datetime


@dataclass(frozen=True)
class RankingChangeRecord:
    """Compact: the client refetches the page it shows. Sealed bids before the deadline carry the
    count only (proposal_id, rank and total are None)."""

    rfp_id: str
    proposal_count: int
    at: datetime
    proposal_id: str | None = None
    rank: int | None = None
    total: float | None = None


class SubscriptionRefused(Exception):
    """A subscription that may not start or must end: the client receives `code` in the error's
    extensions (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, TOO_MANY_SUBSCRIPTIONS, SLOW_SUBSCRIBER)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
