"""GraphQL types of organizations: the organization, the viewer and its API keys, their payloads."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import strawberry

from market.listing import OrderDirection, PageWindow, ProposalListing, ProposalOrderField
from market.records import (
    OrganizationRecord,
    Page,
    ProposalRecord,
)
from market.vocabulary import OrganizationKind
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    USER_ERRORS,
    Node,
    UserError,
    described_field,
    from_global_id,
    to_global_id,
)
from schema.context import ContextInfo, context_of
from schema.keys import ApiKey
from schema.members.types import Member
from schema.paging import within_field
from schema.webhooks.types import Webhook

if TYPE_CHECKING:
    # Proposals point back to organizations (their vendor), so these load lazily, not at import.
    from schema.rfps.listing import ProposalFilter, ProposalOrder
    from schema.rfps.types import ProposalConnection

PROPOSALS_MODULE = "schema.rfps.types"
LISTING_MODULE = "schema.rfps.listing"


async def _members_of(root: strawberry.Parent[Organization], info: ContextInfo) -> list[Member]:
    context = context_of(info)
    local = from_global_id(root.id, "Organization")
    found = await context.market.members.members(context.viewer, local[1] if local else "")
    return [Member.of(member) for member in found]


@strawberry.type(
    name="Organization",
    description="A buyer or a vendor. Signed-in callers see buyers; a vendor is seen by itself and by "
    "buyers only, so vendors cannot list their competitors.",
)
class Organization(Node):
    name: str = strawberry.field(
        description="One line, 1-200 characters, unique on the marketplace (ignoring case and spacing)."
    )
    kind: OrganizationKind = strawberry.field(description="BUYER or VENDOR, fixed at registration.")
    created_at: datetime = strawberry.field(description="When it registered.")

    members: list[Member] = strawberry.field(
        resolver=_members_of,
        description="The organization's members; seen by the organization itself only (empty for "
        "anyone else).",
    )

    @classmethod
    def of(cls, record: OrganizationRecord) -> Organization:
        return cls(
            id=to_global_id("Organization", record.id),
            name=record.name,
            kind=record.kind,
            created_at=record.created_at,
        )


async def load_organization(info: ContextInfo, organization_id: str | None) -> Organization | None:
    if organization_id is None:
        return None
    record = await context_of(info).loaders.organizations.load(organization_id)
    return Organization.of(record) if record else None


async def own_proposals(
    root: strawberry.Parent[Viewer],
    info: ContextInfo,
    first: Annotated[
        int | None, strawberry.argument(description="Page size from the start or after `after` (1-100).")
    ] = None,
    after: Annotated[
        str | None, strawberry.argument(description="A cursor from this list: the items after it.")
    ] = None,
    last: Annotated[
        int | None, strawberry.argument(description="Page size before `before`, or the last items (1-100).")
    ] = None,
    before: Annotated[
        str | None, strawberry.argument(description="A cursor from this list: the items before it.")
    ] = None,
    filter: Annotated[
        Annotated[ProposalFilter, strawberry.lazy(LISTING_MODULE)] | None,
        strawberry.argument(description="Only proposals in these statuses; default all."),
    ] = None,
    order_by: Annotated[
        Annotated[ProposalOrder, strawberry.lazy(LISTING_MODULE)] | None,
        strawberry.argument(description="Default: SUBMITTED_AT DESC (the latest submission first)."),
    ] = None,
) -> Annotated[ProposalConnection, strawberry.lazy(PROPOSALS_MODULE)]:
    context = context_of(info)

    async def read() -> Page[ProposalRecord]:
        # PageWindow.of raises InputError for bad sizes: within_field reports it at this field.
        listing = ProposalListing(
            PageWindow.of(first, after, last, before),
            tuple(filter.status or ()) if filter else (),
            order_by.field if order_by else ProposalOrderField.SUBMITTED_AT,
            order_by.direction if order_by else OrderDirection.DESC,
        )
        return await context.market.proposals.find_own_proposals(context.viewer, listing)

    empty: Page[ProposalRecord] = Page.empty()
    page = await within_field(info, empty, read)
    # What strawberry.lazy does for the annotation, done for the value: the proposal types import
    # this module (a proposal's vendor), so they are looked up when first needed, not at import.
    connection: type[ProposalConnection] = import_module(PROPOSALS_MODULE).ProposalConnection
    return connection.of(page)


async def _member_of(root: strawberry.Parent[Viewer], info: ContextInfo) -> Member | None:
    found = await context_of(info).market.members.get_member(root.record, root.record.member_id)
    return Member.of(found) if found else None


@strawberry.type(description="The signed-in caller: the organization its API key belongs to.")
class Viewer:
    record: strawberry.Private[OrganizationRecord]
    organization: Organization = strawberry.field(description="The caller's organization.")

    member: Member | None = strawberry.field(
        resolver=_member_of,
        description="The member whose key is calling; null for an organization-level key (which acts "
        "as the OWNER).",
    )

    @described_field(
        description="The caller's API keys, revoked ones included; neither a key nor its hash is ever "
        "shown again. With a member's key: that member's own keys (its invitation key first); with an "
        "organization-level key: the organization's."
    )
    async def api_keys(self, info: ContextInfo) -> list[ApiKey]:
        """The caller's API keys; neither a key nor its hash is ever shown again."""
        market = context_of(info).market
        if self.record.member_id is not None:
            return [ApiKey.of(key) for key in await market.members.member_api_keys(self.record)]
        return [ApiKey.of(key) for key in await market.organizations.api_keys(self.record)]

    proposals: Annotated[ProposalConnection, strawberry.lazy(PROPOSALS_MODULE)] = strawberry.field(
        resolver=own_proposals,
        description="A vendor's own proposals across every RFP, any status, newest submission first "
        "unless orderBy says otherwise; 20 per page by default, at most 100. Empty for a buyer, who "
        "submits none (a buyer reads proposals per RFP: Rfp.proposals).",
    )

    @described_field(description="The organization's webhook endpoints; their secrets are never shown again.")
    async def webhooks(self, info: ContextInfo) -> list[Webhook]:
        """The organization's webhook endpoints (their secrets are never shown again)."""
        found = await context_of(info).market.webhooks.list_webhooks(self.record)
        return [Webhook.of(record) for record in found]


@strawberry.type(description="The result of registerOrganization.")
class RegisterOrganizationPayload:
    organization: Organization | None = strawberry.field(
        description="The new organization; null when nothing was written."
    )
    api_key: str | None = strawberry.field(
        description="Its first API key, for `Authorization: Bearer <key>`: shown once (and on an "
        "idempotent retry); store it safely."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of createApiKey.")
class CreateApiKeyPayload:
    api_key: str | None = strawberry.field(description="Shown once; store it safely.")
    key: ApiKey | None = strawberry.field(description="The new key's record; null when nothing was written.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of revokeApiKey.")
class RevokeApiKeyPayload:
    key: ApiKey | None = strawberry.field(description="The revoked key; null when nothing was written.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
