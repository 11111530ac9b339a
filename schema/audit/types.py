"""The audit trail shared by RFPs and proposals: events, their connection and the field resolvers."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, cast

import strawberry

from market.records import (
    AuditRecord,
    Page,
    ProposalRecord,
    RfpRecord,
)
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    CURSOR,
    EDGES,
    MAX_PAGE_SIZE,
    PAGE_INFO,
    TOTAL_COUNT,
    After,
    Before,
    First,
    Last,
    PageInfo,
    client_error,
    described_field,
    page_size,
)
from schema.context import ContextInfo, context_of
from schema.members.types import Member
from schema.organizations.types import Organization, load_organization
from schema.paging import within_field


async def _actor_member(root: strawberry.Parent[AuditEvent], info: ContextInfo) -> Member | None:
    context = context_of(info)
    found = await context.market.members.get_member(context.viewer, root.record.actor_member_id)
    return Member.of(found) if found else None


@strawberry.type(description="One recorded change of an RFP or a proposal: who did what, when.")
class AuditEvent:
    record: strawberry.Private[AuditRecord]
    at: datetime = strawberry.field(description="When it happened.")
    action: str = strawberry.field(
        description="What happened, one camelCase word: created, published, closed, cancelled, awarded, "
        "weightsUpdated, amended, submitted, revised, withdrawn, shortlisted, rejected, confirmed, and "
        "so on (an open set: new actions may appear)."
    )
    changed_fields: list[str] = strawberry.field(
        description="Input paths that changed, at most 50; changedFieldsOmitted counts the rest."
    )
    changed_fields_omitted: int = strawberry.field(
        description="How many changed input paths changedFields leaves out."
    )

    @described_field(description="The organization that acted; null when no organization did.")
    async def actor(self, info: ContextInfo) -> Organization | None:
        return await load_organization(info, self.record.actor_id)

    actor_member: Member | None = strawberry.field(
        resolver=_actor_member,
        description="The member who acted, seen by the member's own organization only; null for an "
        "organization-level key or to anyone else.",
    )

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEvent:
        return cls(
            record=record,
            at=record.at,
            action=record.action,
            changed_fields=list(record.changed_fields),
            changed_fields_omitted=record.changed_fields_omitted,
        )


@strawberry.type(description="An audit event in a list, with its cursor.")
class AuditEventEdge:
    cursor: str = strawberry.field(description=CURSOR)
    node: AuditEvent = strawberry.field(description="The event.")


@strawberry.type(description="A page of audit events, oldest first (Relay connection).")
class AuditEventConnection:
    edges: list[AuditEventEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)

    @classmethod
    def of(cls, page: Page[AuditRecord]) -> AuditEventConnection:
        return cls(
            edges=[
                AuditEventEdge(cursor=cursor, node=AuditEvent.of(record)) for cursor, record in page.items
            ],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


AUDIT_TRAIL_DESCRIPTION = "The latest 50 audit events, oldest first; visible with the object itself."
AUDIT_TRAIL_DEPRECATION = (
    "Returns only the latest 50 events; use auditEvents, which pages through all of them."
)


class _Audited(Protocol):
    """An Rfp or a Proposal: its audit events are visible to whoever sees the object itself."""

    @property
    def record(self) -> RfpRecord | ProposalRecord: ...


async def audit_trail_of(root: strawberry.Parent[_Audited], info: ContextInfo) -> list[AuditEvent]:
    return [
        AuditEvent.of(event) for event in await context_of(info).market.ground.audit_trail(root.record.id)
    ]


async def audit_events_of(
    root: strawberry.Parent[_Audited],
    info: ContextInfo,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> AuditEventConnection:
    subject_id = root.record.id

    async def read() -> Page[AuditRecord]:
        if first is not None and last is not None:
            raise client_error("use either first/after or last/before", ["last"])
        if last is not None and not 1 <= last <= MAX_PAGE_SIZE:
            raise client_error(f"last must be between 1 and {MAX_PAGE_SIZE}", ["last"])
        return await context_of(info).market.ground.audit_events(
            subject_id, page_size(first) if last is None else None, after, last, before
        )

    # A bad cursor or size fails this field only, not the RFP or proposal (schema/paging.py).
    return AuditEventConnection.of(await within_field(info, Page.empty(), read))
