"""GraphQL inputs of clarification writes."""

from __future__ import annotations

import strawberry

# The rule every clarification text follows.
TEXT = "1-5,000 characters once trimmed, no control or invisible characters (newlines and tabs allowed)."


@strawberry.input(description="A vendor's question on an RFP.")
class AskClarificationInput:
    rfp_id: strawberry.ID = strawberry.field(description="The OPEN RFP's global id.")
    question: str = strawberry.field(description="The question: " + TEXT)


@strawberry.input(description="The buyer's answer to a question.")
class AnswerClarificationInput:
    clarification_id: strawberry.ID = strawberry.field(description="The question's global id.")
    answer: str = strawberry.field(description="The answer, published to every vendor: " + TEXT)


@strawberry.input(description="The buyer declines a question.")
class DeclineClarificationInput:
    clarification_id: strawberry.ID = strawberry.field(description="The question's global id.")
    reason: str = strawberry.field(description="Why, shown to the asker only: " + TEXT)


@strawberry.input(description="A question and answer the buyer publishes unasked.")
class PublishClarificationInput:
    rfp_id: strawberry.ID = strawberry.field(description="The OPEN RFP's global id.")
    question: str = strawberry.field(description="The question: " + TEXT)
    answer: str = strawberry.field(description="The answer: " + TEXT)
