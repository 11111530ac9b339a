"""RFP writes: thin resolvers that call one market use case and shape its outcome."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    local_id,
)
from schema.context import ContextInfo, context_of, idempotency_key
from schema.rfps.inputs import CreateRfpInput, RfpIdInput, UpdateRfpWeightsInput
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class RfpMutation:
    @strawberry.mutation
    async def create_rfp(self, info: ContextInfo, input: CreateRfpInput) -> RfpPayload:
        context = context_of(info)
        data = to_data(input)
        data.pop("idempotencyKey", None)  # not part of the RFP; the market gets it on its own
        return RfpPayload.of(
            await context.market.rfps.create_rfp(
                context.viewer, data, idempotency_key(input.idempotency_key, context)
            )
        )

    @strawberry.mutation
    async def publish_rfp(self, info: ContextInfo, input: RfpIdInput) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.publish_rfp(context.viewer, local_id(input.rfp_id, "Rfp"))
        )

    @strawberry.mutation
    async def close_rfp(self, info: ContextInfo, input: RfpIdInput) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.close_rfp(context.viewer, local_id(input.rfp_id, "Rfp"))
        )

    @strawberry.mutation
    async def cancel_rfp(self, info: ContextInfo, input: RfpIdInput) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.cancel_rfp(context.viewer, local_id(input.rfp_id, "Rfp"))
        )

    @strawberry.mutation
    async def update_rfp_weights(self, info: ContextInfo, input: UpdateRfpWeightsInput) -> RfpPayload:
        context = context_of(info)
        outcome = await context.market.rfps.update_rfp_weights(
            context.viewer, local_id(input.rfp_id, "Rfp"), to_data(input.weights)
        )
        return RfpPayload.of(outcome)
