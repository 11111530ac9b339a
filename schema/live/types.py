"""The events subscriptions deliver: compact, the client refetches what it shows."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.live import (
    ProposalEventKind,
    ProposalEventRecord,
    RankingChangeRecord,
    RfpEventKind,
    RfpEventRecord,
)
from schema.common import to_global_id
from schema.enums import described_enum

RfpEventKindEnum = described_enum(
    RfpEventKind,
    "RfpEventKind",
    "What happened to an RFP (rfpEvents, rfp.* webhooks).",
    {
        "PUBLISHED": "The buyer published the RFP: it is OPEN for proposals.",
        "DEADLINE_CHANGED": "The submission deadline moved (an addendum); re-read the RFP.",
        "CLOSED": "No more submissions: closed by the buyer or past its deadline.",
        "CANCELLED": "The buyer cancelled the RFP. Final.",
        "AWARDED": "The buyer awarded one proposal. Final.",
        "CLARIFICATION_PUBLISHED": "A clarification was published to every bidder; re-read clarifications.",
        "AMENDED": "An addendum changed the RFP; re-read it (proposals may need confirmation).",
    },
)
ProposalEventKindEnum = described_enum(
    ProposalEventKind,
    "ProposalEventKind",
    "What happened to a vendor's own proposal (myProposalEvents, proposal.* webhooks).",
    {
        "SUBMITTED": "The proposal was submitted.",
        "REVISED": "The vendor revised it (a new version).",
        "WITHDRAWN": "The vendor withdrew it. Final.",
        "SHORTLISTED": "The buyer shortlisted it.",
        "AWARDED": "It won the RFP's award.",
        "REJECTED": "Another proposal of the RFP was awarded.",
        "RESCORED": (
            "Its score changed without a revision: the buyer re-weighted the RFP or an addendum rescored it."
        ),
        "NEEDS_CONFIRMATION": "An addendum changed what is bought: confirm the proposal or revise it.",
    },
)


@strawberry.type(description="A change of an RFP's ranking; sealed bids before the deadline: count only.")
class RankingChange:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP whose ranking changed (global id).")
    proposal_count: int = strawberry.field(description="Live proposals now on the RFP.")
    proposal_id: strawberry.ID | None = strawberry.field(
        description="The proposal that moved; null for sealed bids before the deadline and RFP-wide changes."
    )
    rank: int | None = strawberry.field(
        description="That proposal's rank now (1 is best); null when proposalId is, or once withdrawn."
    )
    total: float | None = strawberry.field(
        description="That proposal's total score now (0-100); null when rank is."
    )
    at: datetime = strawberry.field(description="When the change committed (UTC).")

    @classmethod
    def of(cls, record: RankingChangeRecord) -> RankingChange:
        proposal = to_global_id("Proposal", record.proposal_id) if record.proposal_id else None
        return cls(
            rfp_id=to_global_id("Rfp", record.rfp_id),
            proposal_count=record.proposal_count,
            proposal_id=proposal,
            rank=record.rank,
            total=record.total,
            at=record.at,
        )


@strawberry.type(description="Something happened to an RFP the viewer may read.")
class RfpEvent:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP (global id).")
    kind: RfpEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When it committed (UTC).")

    @classmethod
    def of(cls, record: RfpEventRecord) -> RfpEvent:
        return cls(rfp_id=to_global_id("Rfp", record.rfp_id), kind=record.kind, at=record.at)


@strawberry.type(
    description="Something happened to a proposal: the vendor's own (myProposalEvents) or one "
    "of the buyer's RFP (proposalEvents)."
)
class ProposalEvent:
    proposal_id: strawberry.ID = strawberry.field(
        description="The proposal (global id): the vendor's own in myProposalEvents, one of the RFP's "
        "in proposalEvents."
    )
    rfp_id: strawberry.ID = strawberry.field(description="The RFP it answers (global id).")
    kind: ProposalEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When it committed (UTC).")

    @classmethod
    def of(cls, record: ProposalEventRecord) -> ProposalEvent:
        return cls(
            proposal_id=to_global_id("Proposal", record.proposal_id),
            rfp_id=to_global_id("Rfp", record.rfp_id),
            kind=record.kind,
            at=record.at,
        )
