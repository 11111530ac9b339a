"""An RFP's addenda: numbered amendments with what changed, as input paths. Here, beside the Rfp
type that lists them, so schema/addenda (inputs, mutations) depends on rfps and never the reverse."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.records import AddendumRecord


@strawberry.type(description="An amendment of an OPEN RFP, published to everyone who sees the RFP.")
class Addendum:
    number: int = strawberry.field(description="1 for the first addendum of the RFP, then 2, 3, ...")
    summary: str = strawberry.field(description="The buyer's summary of the change (1-5,000 characters).")
    at: datetime = strawberry.field(description="When it was published.")
    changed_fields: list[str] = strawberry.field(
        description='The input paths that changed, e.g. ["monthlyBudget", "volume.expected"].'
    )

    @classmethod
    def of(cls, record: AddendumRecord) -> Addendum:
        return cls(
            number=record.number,
            summary=record.summary,
            at=record.at,
            changed_fields=list(record.changed_fields),
        )
