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

RfpEventKindEnum = strawberry.enum(RfpEventKind, name="RfpEventKind")
ProposalEventKindEnum = strawberry.enum(ProposalEventKind, name="ProposalEventKind")


@strawberry.type(description="A change of an RFP's ranking; sealed bids before the deadline: count only.")
class RankingChange:
    rfp_id: strawberry.ID
    proposal_count: int
    proposal_id: strawberry.ID | None
    rank: int | None
    total: float | None
    at: datetime

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
    rfp_id: strawberry.ID
    kind: RfpEventKind
    at: datetime

    @classmethod
    def of(cls, record: RfpEventRecord) -> RfpEvent:
        return cls(rfp_id=to_global_id("Rfp", record.rfp_id), kind=record.kind, at=record.at)


@strawberry.type(description="Something happened to one of the viewer's own proposals.")
class ProposalEvent:
    proposal_id: strawberry.ID
    rfp_id: strawberry.ID
    kind: ProposalEventKind
    at: datetime

    @classmethod
    def of(cls, record: ProposalEventRecord) -> ProposalEvent:
        return cls(
            proposal_id=to_global_id("Proposal", record.proposal_id),
            rfp_id=to_global_id("Rfp", record.rfp_id),
            kind=record.kind,
            at=record.at,
        )
