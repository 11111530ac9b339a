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
    MAX_PAGE_SIZE,
    PageInfo,
    client_error,
    page_size,
)
from schema.context import ContextInfo, context_of
from schema.members.types import Member
from schema.organizations.types import Organization, load_organization


async def _actor_member(root: strawberry.Parent[AuditEvent], info: ContextInfo) -> Member | None:
    context = context_of(info)
    found = await context.market.members.get_member(context.viewer, root.record.actor_member_id)
    return Member.of(found) if found else None


@strawberry.type
class AuditEvent:
    record: strawberry.Private[AuditRecord]
    at: datetime
    action: str
    changed_fields: list[str] = strawberry.field(
        description="Input paths that changed, at most 50; changedFieldsOmitted counts the rest."
    )
    changed_fields_omitted: int = strawberry.field(
        description="How many changed input paths changedFields leaves out."
    )

    @strawberry.field
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


@strawberry.type
class AuditEventEdge:
    cursor: str
    node: AuditEvent


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[AuditRecord]) -> AuditEventConnection:
        return cls(
            edges=[
                AuditEventEdge(cursor=cursor, node=AuditEvent.of(record)) for cursor, record in page.items
            ],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


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
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> AuditEventConnection:
    subject_id = root.record.id
    if first is not None and last is not None:
        raise client_error("use either first/after or last/before", ["last"])
    if last is not None and not 1 <= last <= MAX_PAGE_SIZE:
        raise client_error(f"last must be between 1 and {MAX_PAGE_SIZE}", ["last"])
    page = await context_of(info).market.ground.audit_events(
        subject_id, page_size(first) if last is None else None, after, last, before
    )
    return AuditEventConnection.of(page)
