"""The per-request context handed to resolvers: who is calling, the market, fresh dataloaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from api.market import MarketService
from schema.records import OrganizationRecord, RfpRecord


class RequestLoaders:
    """Built per request so nothing cached outlives it; each batches one `$in` per level."""

    def __init__(self, market: MarketService) -> None:
        self.organizations: DataLoader[str, OrganizationRecord | None] = DataLoader(market.load_organizations)
        self.rfps: DataLoader[str, RfpRecord | None] = DataLoader(market.load_rfps)


@dataclass
class RequestContext:
    viewer: OrganizationRecord | None
    market: MarketService
    loaders: RequestLoaders
    request_id: str
    client_address: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
