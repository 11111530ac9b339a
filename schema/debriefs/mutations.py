"""configureDebriefs: the buyer decides whether debriefs and the award are published."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.common import INPUT, described_mutation, local_id
from schema.context import ContextInfo, context_of
from schema.debriefs.inputs import ConfigureDebriefsInput
from schema.rfps.types import RfpPayload
from schema.scores.inputs import to_data


@strawberry.type
class DebriefMutation:
    @described_mutation(
        description="The buyer decides whether tenderers read debriefs and whether they name the winner."
    )
    async def configure_debriefs(
        self, info: ContextInfo, input: Annotated[ConfigureDebriefsInput, INPUT]
    ) -> RfpPayload:
        context = context_of(info)
        data = to_data(input)
        data.pop("rfpId", None)
        outcome = await context.market.debriefs.configure_debriefs(
            context.viewer, local_id(input.rfp_id, "Rfp"), data
        )
        return RfpPayload.of(outcome)
