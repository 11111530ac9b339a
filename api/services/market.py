"""The marketplace service: every use case and visibility rule, one object per application.

MarketService brings together the rules of organizations.py, rfps.py, proposals.py and ranking.py over
the shared ground of rules.py; schema/ reaches it through the `Market` Protocol of schema/context.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from api.services.ground import utcnow
from api.services.organizations import (
    DEFAULT_REGISTER_GLOBAL_LIMIT,
    DEFAULT_REGISTER_LIMIT,
    OrganizationRules,
    RateLimit,
)
from api.services.proposals import ProposalRules
from api.services.ranking import RankingRules
from api.services.rfps import RfpRules
from api.store.database import Store, connect
from api.store.rankings import DigestRefresher


class MarketService(OrganizationRules, RfpRules, ProposalRules, RankingRules):
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime] = utcnow,
        register_limit: RateLimit = DEFAULT_REGISTER_LIMIT,
        register_global_limit: RateLimit = DEFAULT_REGISTER_GLOBAL_LIMIT,
    ) -> None:
        self.store = store
        self.clock = clock
        self.register_limit = register_limit
        self.register_global_limit = register_global_limit
        self.digests = DigestRefresher(store, clock)


@contextlib.asynccontextmanager
async def open_market(uri: str, db: str) -> AsyncIterator[MarketService]:
    """A market on its own client, for commands (seed): its background ranking refreshes finish
    before the client closes, so none of them outlives it and fails on a closed client."""
    client = connect(uri)
    try:
        store = Store(client, db)
        await store.ensure_indexes()
        market = MarketService(store)
        try:
            yield market
        finally:
            await market.digests.close()
    finally:
        await client.close()
