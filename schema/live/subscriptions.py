"""The Subscription root. Each resolver hands the caller, its API key and its connection to the
market's live use cases; a refusal becomes a GraphQL error with its code in the extensions."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, TypeVar

import strawberry
from graphql import GraphQLError

from market.live import SubscriptionRefused
from schema.common import described_subscription, local_id
from schema.context import ContextInfo, context_of
from schema.live.types import ProposalEvent, RankingChange, RfpEvent

T = TypeVar("T")
RFP_ID = "The RFP to follow (global id)."


async def _guarded(events: AsyncIterator[T]) -> AsyncIterator[T]:
    try:
        async for event in events:
            yield event
    except SubscriptionRefused as refused:
        raise GraphQLError(refused.message, extensions={"code": refused.code}) from refused


@strawberry.type
class LiveSubscription:
    @described_subscription(
        description="The RFP's buyer only: each change of its ranking (sealed bids before the "
        "deadline: the count only); anyone else gets NOT_FOUND. Needs an API key."
    )
    async def ranking_changed(
        self, info: ContextInfo, rfp_id: Annotated[strawberry.ID, strawberry.argument(description=RFP_ID)]
    ) -> AsyncGenerator[RankingChange, None]:
        context = context_of(info)
        live = context.market.live.ranking_changed(
            context.viewer, context.credential, context.connection_id, local_id(rfp_id, "Rfp")
        )
        async for record in _guarded(live):
            yield RankingChange.of(record)

    @described_subscription(
        description="Whoever may read the RFP (with an API key): its lifecycle events, clarifications "
        "and addenda."
    )
    async def rfp_events(
        self, info: ContextInfo, rfp_id: Annotated[strawberry.ID, strawberry.argument(description=RFP_ID)]
    ) -> AsyncGenerator[RfpEvent, None]:
        context = context_of(info)
        live = context.market.live.rfp_events(
            context.viewer, context.credential, context.connection_id, local_id(rfp_id, "Rfp")
        )
        async for record in _guarded(live):
            yield RfpEvent.of(record)

    @described_subscription(
        description="The RFP's buyer (members whose role reads proposals): each proposal submitted, "
        "revised, withdrawn, shortlisted, awarded, rejected or asked to confirm. Sealed bids: nothing "
        "before the deadline (rankingChanged carries the count). Anyone else gets NOT_FOUND."
    )
    async def proposal_events(
        self, info: ContextInfo, rfp_id: Annotated[strawberry.ID, strawberry.argument(description=RFP_ID)]
    ) -> AsyncGenerator[ProposalEvent, None]:
        context = context_of(info)
        live = context.market.live.proposal_events(
            context.viewer, context.credential, context.connection_id, local_id(rfp_id, "Rfp")
        )
        async for record in _guarded(live):
            yield ProposalEvent.of(record)

    @described_subscription(
        description="A vendor's own proposals only: status changes and confirmations asked; FORBIDDEN "
        "to buyers."
    )
    async def my_proposal_events(self, info: ContextInfo) -> AsyncGenerator[ProposalEvent, None]:
        context = context_of(info)
        live = context.market.live.my_proposal_events(
            context.viewer, context.credential, context.connection_id
        )
        async for record in _guarded(live):
            yield ProposalEvent.of(record)
