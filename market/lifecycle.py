"""The state machines of RFPs and proposals: which status may follow which, and what "effective"
status a reader sees. Pure: api/ repeats these checks in its write filters so a concurrent change
cannot slip between the check and the write."""

from __future__ import annotations

from datetime import datetime

from market.vocabulary import ProposalStatus, RfpStatus

# RFP transitions: the action (as recorded in the audit trail) -> (statuses it leaves, status it reaches).
RFP_TRANSITIONS: dict[str, tuple[tuple[RfpStatus, ...], RfpStatus]] = {
    "published": ((RfpStatus.DRAFT,), RfpStatus.OPEN),
    "closed": ((RfpStatus.OPEN,), RfpStatus.CLOSED),
    "cancelled": ((RfpStatus.DRAFT, RfpStatus.OPEN, RfpStatus.CLOSED), RfpStatus.CANCELLED),
    "awarded": ((RfpStatus.CLOSED,), RfpStatus.AWARDED),
}

# An RFP in a final status changes no more: no weights, no withdrawals, no shortlisting.
FINAL_RFP_STATUSES = (RfpStatus.AWARDED, RfpStatus.CANCELLED)

# Proposals still in the running: they may be revised, withdrawn, awarded or rejected.
REVISABLE_PROPOSAL_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED)


def effective_rfp_status(stored: RfpStatus, deadline: datetime, now: datetime) -> RfpStatus:
    # No timer closes RFPs: an OPEN RFP past its deadline simply reads CLOSED everywhere.
    if stored is RfpStatus.OPEN and now >= deadline:
        return RfpStatus.CLOSED
    return stored


def rfp_is_final(status: RfpStatus) -> bool:
    return status in FINAL_RFP_STATUSES


def proposal_is_revisable(status: ProposalStatus) -> bool:
    return status in REVISABLE_PROPOSAL_STATUSES
