"""RFP reads, each authorized by the market (what a caller may not see reads as null)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import strawberry

from market.vocabulary import RfpStatus
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    After,
    Before,
    First,
    Last,
    described_field,
    local_id,
)
from schema.context import ContextInfo, context_of
from schema.rfps.listing import RfpFilter, RfpOrder, rfp_listing, selects, window
from schema.rfps.types import Rfp, RfpConnection, remember


@strawberry.type
class RfpQuery:
    @described_field(
        description="An RFP by its global id; null when it is unknown or the caller may not see it "
        "(a DRAFT is its buyer's only; anonymous callers see none)."
    )
    async def rfp(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The RFP's global id.")],
    ) -> Rfp | None:
        context = context_of(info)
        record = await context.market.ground.get_rfp(context.viewer, local_id(id, "Rfp"))
        return Rfp.of(remember(info, record)) if record else None

    @described_field(
        description="The RFPs the caller may list: a buyer its own (every status), a vendor those OPEN "
        "for bids now, an anonymous caller none. Paged both ways; default order CREATED_AT DESC."
    )
    async def rfps(
        self,
        info: ContextInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        status: Annotated[
            RfpStatus | None,
            strawberry.argument(
                description="Only RFPs in this effective status (kept for older clients; "
                "filter.status takes a list). Null: any."
            ),
        ] = None,
        filter: Annotated[
            RfpFilter | None, strawberry.argument(description="Narrows the list; null: no condition.")
        ] = None,
        order_by: Annotated[
            RfpOrder | None, strawberry.argument(description="Null: CREATED_AT DESC (newest first).")
        ] = None,
    ) -> RfpConnection:
        context = context_of(info)
        listing = rfp_listing(window(first, after, last, before), filter, order_by)
        # The count reads every matching RFP again: only when the client asks for it (issue 14).
        listing = replace(listing, counted=selects(info, "totalCount"))
        page = await context.market.rfps.find_rfps(context.viewer, listing, status)
        for _, record in page.items:
            remember(info, record)
        return RfpConnection.of(page)
