"""The signed-in caller: `viewer` and what it holds (its organization, member, keys, webhooks and, for a
vendor, its proposals across RFPs). Its own module above organizations and RFPs, because it shows
both: organizations' types need not know proposals, and no two modules import each other."""

from __future__ import annotations

from typing import Annotated

import strawberry

from market.listing import OrderDirection, PageWindow, ProposalListing, ProposalOrderField
from market.records import OrganizationRecord, Page, ProposalRecord
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import described_field
from schema.context import ContextInfo, context_of
from schema.keys import ApiKey
from schema.members.types import Member
from schema.organizations.types import Organization
from schema.paging import within_field
from schema.rfps.listing import ProposalFilter, ProposalOrder
from schema.rfps.types import ProposalConnection
from schema.webhooks.types import Webhook


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
        ProposalFilter | None,
        strawberry.argument(description="Only proposals in these statuses; default all."),
    ] = None,
    order_by: Annotated[
        ProposalOrder | None,
        strawberry.argument(description="Default: SUBMITTED_AT DESC (the latest submission first)."),
    ] = None,
) -> ProposalConnection:
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
    return ProposalConnection.of(page)


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

    proposals: ProposalConnection = strawberry.field(
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


@strawberry.type
class ViewerQuery:
    @described_field(
        description="Who is calling: null without an Authorization header (a bad or revoked key is "
        "UNAUTHENTICATED, never null)."
    )
    def viewer(self, info: ContextInfo) -> Viewer | None:
        viewer = context_of(info).viewer
        return Viewer(record=viewer, organization=Organization.of(viewer)) if viewer else None
