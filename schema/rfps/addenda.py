"""An RFP's addenda: numbered amendments with what changed, as input paths. Here, beside the Rfp
type that lists them, so schema/addenda (inputs, mutations) depends on rfps and never the reverse."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.records import AddendumRecord


@strawberry.type
class Addendum:
    number: int
    summary: str
    at: datetime
    changed_fields: list[str]

    @classmethod
    def of(cls, record: AddendumRecord) -> Addendum:
        return cls(
            number=record.number,
            summary=record.summary,
            at=record.at,
            changed_fields=list(record.changed_fields),
        )
