"""configureDebriefs: the buyer decides whether debriefs and the award are published."""

from __future__ import annotations

import strawberry

from schema.common import local_id
from schema.context import ContextInfo, context_of
from schema.debriefs.inputs import ConfigureDebriefsInput
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class DebriefMutation:
    @strawberry.mutation
    async def configure_debriefs(self, info: ContextInfo, input: ConfigureDebriefsInput) -> RfpPayload:
        context = context_of(info)
        data = to_data(input)
        data.pop("rfpId", None)
        outcome = await context.market.debriefs.configure_debriefs(
            context.viewer, local_id(input.rfp_id, "Rfp"), data
        )
        return RfpPayload.of(outcome)
