"""Clarification writes: a vendor asks; the buyer answers (publishing to every vendor), declines,
or publishes a clarification nobody asked."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.clarifications.inputs import (
    AnswerClarificationInput,
    AskClarificationInput,
    DeclineClarificationInput,
    PublishClarificationInput,
)
from schema.clarifications.types import ClarificationPayload
from schema.common import INPUT, described_mutation, local_id
from schema.context import ContextInfo, context_of


@strawberry.type
class ClarificationMutation:
    @described_mutation(
        description="A vendor that sees an OPEN RFP asks a question before the enquiry deadline; the buyer "
        "and the asker see it."
    )
    async def ask_clarification(
        self, info: ContextInfo, input: Annotated[AskClarificationInput, INPUT]
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.ask_clarification(
            context.viewer, local_id(input.rfp_id, "Rfp"), input.question
        )
        return ClarificationPayload.of(outcome)

    @described_mutation(
        description="The buyer answers a question (ANSWERED), publishing question and answer to every "
        "vendor, anonymized."
    )
    async def answer_clarification(
        self, info: ContextInfo, input: Annotated[AnswerClarificationInput, INPUT]
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.answer_clarification(
            context.viewer, local_id(input.clarification_id, "Clarification"), input.answer
        )
        return ClarificationPayload.of(outcome)

    @described_mutation(
        description="The buyer declines a question (DECLINED); the reason is shown to the asker only."
    )
    async def decline_clarification(
        self, info: ContextInfo, input: Annotated[DeclineClarificationInput, INPUT]
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.decline_clarification(
            context.viewer, local_id(input.clarification_id, "Clarification"), input.reason
        )
        return ClarificationPayload.of(outcome)

    @described_mutation(
        description="The buyer publishes a question and its answer nobody asked, to every vendor (ANSWERED)."
    )
    async def publish_clarification(
        self, info: ContextInfo, input: Annotated[PublishClarificationInput, INPUT]
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.publish_clarification(
            context.viewer, local_id(input.rfp_id, "Rfp"), input.question, input.answer
        )
        return ClarificationPayload.of(outcome)
