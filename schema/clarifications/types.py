"""Clarification questions on an RFP, their answers, and the payload of clarification writes."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from market.records import ClarificationRecord, Page
from market.vocabulary import ClarificationStatus, Outcome
from schema.common import Node, PageInfo, UserError, to_global_id, user_errors
from schema.context import ContextInfo, context_of
from schema.organizations.types import Organization, load_organization

strawberry.enum(ClarificationStatus, name="ClarificationStatus")


@strawberry.type(name="Clarification")
class Clarification(Node):
    record: strawberry.Private[ClarificationRecord]
    question: str
    answer: str | None = strawberry.field(
        description="The buyer's answer (ANSWERED, published to every vendor) or reason (DECLINED)."
    )
    status: ClarificationStatus
    asked_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, record: ClarificationRecord) -> Clarification:
        return cls(
            record=record,
            id=to_global_id("Clarification", record.id),
            question=record.question,
            answer=record.answer,
            status=record.status,
            asked_at=record.asked_at,
            answered_at=record.answered_at,
        )

    @strawberry.field
    def asked_by_viewer(self, info: ContextInfo) -> bool:
        context = context_of(info)
        return context.market.clarifications.asked_by(context.viewer, self.record)

    @strawberry.field
    async def asked_by(self, info: ContextInfo) -> Organization | None:
        context = context_of(info)
        asker = await context.market.clarifications.asker_for(context.viewer, self.record)
        return await load_organization(info, asker)


@strawberry.type
class ClarificationEdge:
    cursor: str
    node: Clarification


@strawberry.type
class ClarificationConnection:
    edges: list[ClarificationEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[ClarificationRecord]) -> ClarificationConnection:
        return cls(
            edges=[ClarificationEdge(cursor=c, node=Clarification.of(r)) for c, r in page.items],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


@strawberry.type
class ClarificationPayload:
    clarification: Clarification | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[ClarificationRecord]) -> ClarificationPayload:
        found = Clarification.of(outcome.value) if outcome.value else None
        return cls(clarification=found, user_errors=user_errors(outcome.errors))
