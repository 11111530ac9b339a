"""Clarification questions on an RFP, their answers, and the payload of clarification writes."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from market.records import ClarificationRecord, Page
from market.vocabulary import ClarificationStatus, Outcome
from schema.common import (
    CURSOR,
    EDGES,
    PAGE_INFO,
    TOTAL_COUNT,
    USER_ERRORS,
    Node,
    PageInfo,
    UserError,
    described_field,
    to_global_id,
    user_errors,
)
from schema.context import ContextInfo, context_of
from schema.enums import described_enum
from schema.organizations.types import Organization, load_organization

described_enum(
    ClarificationStatus,
    "ClarificationStatus",
    "Where a clarification question is.",
    {
        "ASKED": "Asked by a vendor, not yet handled: the buyer and the asker see it.",
        "ANSWERED": "Answered (or published unasked) by the buyer: every vendor sees it, anonymized.",
        "DECLINED": "Declined by the buyer: the buyer and the asker see it, with the reason.",
    },
)


@strawberry.type(
    name="Clarification",
    description="A question on an RFP and the buyer's answer. The buyer sees every one; other "
    "organizations the ANSWERED ones, anonymized, and their own.",
)
class Clarification(Node):
    record: strawberry.Private[ClarificationRecord]
    question: str = strawberry.field(description="The question, as asked (or as published by the buyer).")
    answer: str | None = strawberry.field(
        description="The buyer's answer (ANSWERED, published to every vendor) or reason (DECLINED)."
    )
    status: ClarificationStatus = strawberry.field(description="Asked, answered or declined.")
    asked_at: datetime = strawberry.field(description="When it was asked (or published).")
    answered_at: datetime | None = strawberry.field(
        description="When the buyer answered or declined it; null while ASKED."
    )

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

    @described_field(description="True for the organization that asked it; false for everyone else.")
    def asked_by_viewer(self, info: ContextInfo) -> bool:
        context = context_of(info)
        return context.market.clarifications.asked_by(context.viewer, self.record)

    @described_field(
        description="Who asked it: shown to the RFP's buyer only; null for everyone else and when the "
        "buyer published it unasked."
    )
    async def asked_by(self, info: ContextInfo) -> Organization | None:
        context = context_of(info)
        asker = await context.market.clarifications.asker_for(context.viewer, self.record)
        return await load_organization(info, asker)


@strawberry.type(description="A clarification in a list, with its cursor.")
class ClarificationEdge:
    cursor: str = strawberry.field(description=CURSOR)
    node: Clarification = strawberry.field(description="The clarification.")


@strawberry.type(description="A page of clarifications, oldest first (Relay connection, forward only).")
class ClarificationConnection:
    edges: list[ClarificationEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)

    @classmethod
    def of(cls, page: Page[ClarificationRecord]) -> ClarificationConnection:
        return cls(
            edges=[ClarificationEdge(cursor=c, node=Clarification.of(r)) for c, r in page.items],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


@strawberry.type(description="The result of a clarification write.")
class ClarificationPayload:
    clarification: Clarification | None = strawberry.field(
        description="The clarification as written; null when nothing was written."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def of(cls, outcome: Outcome[ClarificationRecord]) -> ClarificationPayload:
        found = Clarification.of(outcome.value) if outcome.value else None
        return cls(clarification=found, user_errors=user_errors(outcome.errors))
