"""Clarification writes: a vendor asks; the buyer answers (publishing to every vendor), declines,
or publishes a clarification nobody asked."""

from __future__ import annotations

import strawberry

from schema.clarifications.inputs import (
    AnswerClarificationInput,
    AskClarificationInput,
    DeclineClarificationInput,
    PublishClarificationInput,
)
from schema.clarifications.types import ClarificationPayload
from schema.common import local_id
from schema.context import ContextInfo, context_of


@strawberry.type
class ClarificationMutation:
    @strawberry.mutation
    async def ask_clarification(
        self, info: ContextInfo, input: AskClarificationInput
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.ask_clarification(
            context.viewer, local_id(input.rfp_id, "Rfp"), input.question
        )
        return ClarificationPayload.of(outcome)

    @strawberry.mutation
    async def answer_clarification(
        self, info: ContextInfo, input: AnswerClarificationInput
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.answer_clarification(
            context.viewer, local_id(input.clarification_id, "Clarification"), input.answer
        )
        return ClarificationPayload.of(outcome)

    @strawberry.mutation
    async def decline_clarification(
        self, info: ContextInfo, input: DeclineClarificationInput
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.decline_clarification(
            context.viewer, local_id(input.clarification_id, "Clarification"), input.reason
        )
        return ClarificationPayload.of(outcome)

    @strawberry.mutation
    async def publish_clarification(
        self, info: ContextInfo, input: PublishClarificationInput
    ) -> ClarificationPayload:
        context = context_of(info)
        outcome = await context.market.clarifications.publish_clarification(
            context.viewer, local_id(input.rfp_id, "Rfp"), input.question, input.answer
        )
        return ClarificationPayload.of(outcome)
