"""RFP writes: thin resolvers that call one market use case and shape its outcome."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    INPUT,
    described_mutation,
    local_id,
)
from schema.context import ContextInfo, context_of, idempotency_key
from schema.rfps.inputs import CreateRfpInput, RfpIdInput, UpdateRfpWeightsInput
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class RfpMutation:
    @described_mutation(
        description="A buyer creates an RFP as a DRAFT, visible to itself only until published."
    )
    async def create_rfp(self, info: ContextInfo, input: Annotated[CreateRfpInput, INPUT]) -> RfpPayload:
        context = context_of(info)
        data = to_data(input)
        data.pop("idempotencyKey", None)  # not part of the RFP; the market gets it on its own
        return RfpPayload.of(
            await context.market.rfps.create_rfp(
                context.viewer, data, idempotency_key(input.idempotency_key, context)
            )
        )

    @described_mutation(
        description="The buyer opens a DRAFT for proposals (OPEN); refused once its submission deadline has "
        "passed."
    )
    async def publish_rfp(self, info: ContextInfo, input: Annotated[RfpIdInput, INPUT]) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.publish_rfp(context.viewer, local_id(input.rfp_id, "Rfp"))
        )

    @described_mutation(
        description="The buyer closes an OPEN RFP before its deadline (CLOSED): no more submissions or "
        "revisions."
    )
    async def close_rfp(self, info: ContextInfo, input: Annotated[RfpIdInput, INPUT]) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.close_rfp(context.viewer, local_id(input.rfp_id, "Rfp"))
        )

    @described_mutation(description="The buyer cancels a DRAFT, OPEN or CLOSED RFP (CANCELLED, final).")
    async def cancel_rfp(self, info: ContextInfo, input: Annotated[RfpIdInput, INPUT]) -> RfpPayload:
        context = context_of(info)
        return RfpPayload.of(
            await context.market.rfps.cancel_rfp(context.viewer, local_id(input.rfp_id, "Rfp"))
        )

    @described_mutation(
        description="The buyer changes the weights of an RFP that is not AWARDED or CANCELLED; every "
        "proposal's total is recomputed at once."
    )
    async def update_rfp_weights(
        self, info: ContextInfo, input: Annotated[UpdateRfpWeightsInput, INPUT]
    ) -> RfpPayload:
        context = context_of(info)
        outcome = await context.market.rfps.update_rfp_weights(
            context.viewer, local_id(input.rfp_id, "Rfp"), to_data(input.weights)
        )
        return RfpPayload.of(outcome)
