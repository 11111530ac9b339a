"""RFP reads, each authorized by the market (what a caller may not see reads as null)."""

from __future__ import annotations

import strawberry

from market.vocabulary import RfpStatus
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    local_id,
)
from schema.context import ContextInfo, context_of
from schema.rfps.listing import RfpFilter, RfpOrder, rfp_listing, window
from schema.rfps.types import Rfp, RfpConnection, remember


@strawberry.type
class RfpQuery:
    @strawberry.field
    async def rfp(self, info: ContextInfo, id: strawberry.ID) -> Rfp | None:
        context = context_of(info)
        record = await context.market.ground.get_rfp(context.viewer, local_id(id, "Rfp"))
        return Rfp.of(remember(info, record)) if record else None

    @strawberry.field
    async def rfps(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        status: RfpStatus | None = None,
        filter: RfpFilter | None = None,
        order_by: RfpOrder | None = None,
    ) -> RfpConnection:
        context = context_of(info)
        listing = rfp_listing(window(first, after, last, before), filter, order_by)
        page = await context.market.rfps.find_rfps(context.viewer, listing, status)
        for _, record in page.items:
            remember(info, record)
        return RfpConnection.of(page)
