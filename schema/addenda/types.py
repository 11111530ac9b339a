"""An RFP's addenda: numbered amendments with what changed, as input paths."""

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
