"""The per-request context handed to resolvers: who is calling, the market, fresh dataloaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from api.services.market import MarketService
from market.records import OrganizationRecord, RfpRecord
from schema.context import Context


class RequestLoaders:
    """Built per request so nothing cached outlives it; each batches one `$in` per level."""

    def __init__(self, market: MarketService, viewer: OrganizationRecord | None) -> None:
        self.market = market
        self.viewer = viewer
        self.organizations: DataLoader[str, OrganizationRecord | None] = DataLoader(
            market.organizations.load_organizations
        )
        self.rfps: DataLoader[str, RfpRecord | None] = DataLoader(market.ground.load_rfps)
        self.proposal_counts: DataLoader[str, int] = DataLoader(self._proposal_counts)

    async def _proposal_counts(self, rfp_ids: Sequence[str]) -> list[int]:
        rfps = await self.rfps.load_many(rfp_ids)  # primed by the resolvers that read them
        return await self.market.proposals.visible_proposal_counts(self.viewer, rfps)


@dataclass
class RequestContext:
    viewer: OrganizationRecord | None
    market: MarketService
    loaders: RequestLoaders
    request_id: str
    client_address: str = ""
    idempotency_key: str | None = None  # the `Idempotency-Key` header
    # "http" or "websocket": the socket runs subscriptions only (api/limits.HttpOnlyOperations).
    transport: str = "http"
    credential: str | None = None  # the caller's API key, which subscriptions re-check
    # A socket's id for the per-connection subscription cap (one context per WebSocket connection).
    connection_id: str = ""
    connection_params: dict[str, object] | None = None  # set by strawberry on connection_init
    # Errors of fields that answer empty rather than null their parent (schema/context.Context).
    field_errors: list[Any] = field(default_factory=list)


# mypy proves here that the implementation keeps the contract schema/ declares.
_CONFORMS: type[Context] = RequestContext
