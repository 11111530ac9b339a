"""The evaluation team's writes: the lead assigns evaluators, opens consensus and records it;
evaluators declare conflicts and score. Thin resolvers over market.evaluation."""

from __future__ import annotations

from typing import Annotated

import strawberry

from market.records import EvaluationRecord
from market.vocabulary import Outcome
from schema.common import INPUT, local_id, user_errors
from schema.context import ContextInfo, context_of
from schema.evaluation.inputs import (
    AssignEvaluatorsInput,
    DeclareConflictInput,
    RecordConsensusInput,
    SubmitEvaluationInput,
)
from schema.evaluation.types import ConsensusPayload, EvaluationPayload
from schema.rfps.evaluation import evaluation_of
from schema.rfps.inputs import RfpIdInput
from schema.rfps.types import RfpPayload


async def _assign_evaluators(info: ContextInfo, input: Annotated[AssignEvaluatorsInput, INPUT]) -> RfpPayload:
    context = context_of(info)
    members = [local_id(member_id, "Member") for member_id in input.member_ids]
    outcome = await context.market.evaluation.assign_evaluators(
        context.viewer, local_id(input.rfp_id, "Rfp"), members
    )
    return RfpPayload.of(outcome)


async def _declare_conflict(info: ContextInfo, input: Annotated[DeclareConflictInput, INPUT]) -> RfpPayload:
    context = context_of(info)
    outcome = await context.market.evaluation.declare_conflict(
        context.viewer,
        local_id(input.rfp_id, "Rfp"),
        local_id(input.vendor_id, "Organization"),
        input.has_conflict,
        input.note,
    )
    return RfpPayload.of(outcome)


async def _open_consensus(info: ContextInfo, input: Annotated[RfpIdInput, INPUT]) -> RfpPayload:
    context = context_of(info)
    return RfpPayload.of(
        await context.market.evaluation.open_consensus(context.viewer, local_id(input.rfp_id, "Rfp"))
    )


async def _submit_evaluation(
    info: ContextInfo, input: Annotated[SubmitEvaluationInput, INPUT]
) -> EvaluationPayload:
    context = context_of(info)
    outcome: Outcome[EvaluationRecord] = await context.market.evaluation.submit_evaluation(
        context.viewer,
        local_id(input.proposal_id, "Proposal"),
        local_id(input.criterion_id, "QualitativeCriterion"),
        input.score,
        input.justification,
    )
    if outcome.value is None:
        return EvaluationPayload(evaluation=None, user_errors=user_errors(outcome.errors))
    rfp = await context.market.ground.get_rfp(context.viewer, outcome.value.rfp_id)
    evaluation = await evaluation_of(info, outcome.value, rfp) if rfp else None
    return EvaluationPayload(evaluation=evaluation, user_errors=[])


async def _record_consensus(
    info: ContextInfo, input: Annotated[RecordConsensusInput, INPUT]
) -> ConsensusPayload:
    context = context_of(info)
    outcome = await context.market.evaluation.record_consensus(
        context.viewer,
        local_id(input.proposal_id, "Proposal"),
        local_id(input.criterion_id, "QualitativeCriterion"),
        input.score,
        input.reason,
    )
    rfp = await context.market.ground.get_rfp(context.viewer, outcome.value.rfp_id) if outcome.value else None
    return ConsensusPayload.of(outcome, rfp)


@strawberry.type
class EvaluationMutation:
    assign_evaluators: RfpPayload = strawberry.mutation(
        resolver=_assign_evaluators,
        description="Names the RFP's evaluators (OWNER or PROCUREMENT_LEAD; before consensus opens).",
    )
    declare_conflict: RfpPayload = strawberry.mutation(
        resolver=_declare_conflict,
        description="An assigned evaluator declares, once per vendor, whether they have a conflict of "
        "interest; they read and score that vendor's proposal only after declaring none.",
    )
    submit_evaluation: EvaluationPayload = strawberry.mutation(
        resolver=_submit_evaluation,
        description="An evaluator scores a proposal on a criterion (again to change it), until the "
        "lead opens consensus.",
    )
    open_consensus: RfpPayload = strawberry.mutation(
        resolver=_open_consensus,
        description="Ends independent scoring once the RFP is closed: scores freeze, and evaluators "
        "see each other's (OWNER or PROCUREMENT_LEAD).",
    )
    record_consensus: ConsensusPayload = strawberry.mutation(
        resolver=_record_consensus,
        description="The lead records the agreed score of a proposal on a criterion, with a reason; "
        "it enters the total.",
    )
