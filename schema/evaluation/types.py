"""The payloads of the evaluation team's writes (the types they carry live in schema/rfps/evaluation.py,
beside the Rfp and Proposal fields that show them)."""

from __future__ import annotations

import strawberry

from market.records import ConsensusRecord, RfpRecord
from market.vocabulary import Outcome
from schema.common import UserError, user_errors
from schema.rfps.evaluation import Consensus, Evaluation, consensus_of


@strawberry.type(description="The answer to submitEvaluation.")
class EvaluationPayload:
    evaluation: Evaluation | None = strawberry.field(description="The score as saved; null on userErrors.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was done, by input path.")


@strawberry.type(description="The answer to recordConsensus.")
class ConsensusPayload:
    consensus: Consensus | None = strawberry.field(description="The consensus as saved; null on userErrors.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was done, by input path.")

    @classmethod
    def of(cls, outcome: Outcome[ConsensusRecord], rfp: RfpRecord | None) -> ConsensusPayload:
        found = consensus_of(outcome.value, rfp) if outcome.value and rfp else None
        return cls(consensus=found, user_errors=user_errors(outcome.errors))
