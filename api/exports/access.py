"""Who may export what: the RFP's buyer, once its proposals are unsealed — the rule GraphQL applies to
`rankedProposals`. Everything else, an unknown or malformed id included, is one answer: not found."""

from __future__ import annotations

from api.services.market import MarketService
from api.store.database import parse_object_id
from market.records import OrganizationRecord, RfpRecord
from market.roles import Action, may
from schema.common import from_global_id


def parse_rfp_id(value: str) -> str | None:
    """The RFP's ObjectId hex from its GraphQL global id, or from the hex itself (handy in a shell)."""
    parsed = from_global_id(value, "Rfp")
    local = parsed[1] if parsed else value
    return local if parse_object_id(local) is not None else None


async def exportable_rfp(
    market: MarketService, viewer: OrganizationRecord | None, rfp_id: str
) -> RfpRecord | None:
    local = parse_rfp_id(rfp_id)
    if viewer is None or local is None or not may(viewer.role, Action.EXPORT):
        return None
    rfp = await market.ground.get_rfp(viewer, local)
    # The same decision as rankedProposals, so an export never shows what GraphQL hides.
    if rfp is None or not market.ground.sees_proposals_of(viewer, rfp):
        return None
    return rfp  # its cost figures count every committed write: low prices are judged on them all
