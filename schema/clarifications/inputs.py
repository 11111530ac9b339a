"""GraphQL inputs of clarification writes."""

from __future__ import annotations

import strawberry


@strawberry.input
class AskClarificationInput:
    rfp_id: strawberry.ID
    question: str


@strawberry.input
class AnswerClarificationInput:
    clarification_id: strawberry.ID
    answer: str


@strawberry.input
class DeclineClarificationInput:
    clarification_id: strawberry.ID
    reason: str


@strawberry.input
class PublishClarificationInput:
    rfp_id: strawberry.ID
    question: str
    answer: str
