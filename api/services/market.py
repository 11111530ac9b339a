"""The marketplace service: one object per application composing one service per domain.

`market.organizations`, `market.rfps`, `market.proposals` and `market.ranking` each hold the shared
ground (store, clock, ranking digests; services/ground.py) and nothing of each other, so each can be
built and tested alone: `ProposalService(MarketGround(store, clock, digests))`. schema/ reaches them
through the `Market` Protocol of schema/context.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from api.services.addenda import AddendumService
from api.services.clarifications import ClarificationService
from api.services.debriefs import DebriefService
from api.services.evaluation import EvaluationService
from api.services.ground import MarketGround, utcnow
from api.services.live import DEFAULT_LIVE_LIMITS, LiveFeed, LiveLimits, LiveService
from api.services.members import MemberService
from api.services.organizations import (
    DEFAULT_REGISTER_GLOBAL_LIMIT,
    DEFAULT_REGISTER_LIMIT,
    OrganizationService,
    RateLimit,
)
from api.services.proposals import ProposalService
from api.services.ranking import RankingService
from api.services.rfps import RfpService
from api.services.webhooks import DEFAULT_WEBHOOK_SETTINGS, WebhookDispatcher, WebhookService, WebhookSettings
from api.store.database import Store, connect
from api.store.rankings import DigestRefresher
from market.records import OrganizationRecord


class MarketService:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime] = utcnow,
        register_limit: RateLimit = DEFAULT_REGISTER_LIMIT,
        register_global_limit: RateLimit = DEFAULT_REGISTER_GLOBAL_LIMIT,
        live_limits: LiveLimits = DEFAULT_LIVE_LIMITS,
        webhook_settings: WebhookSettings = DEFAULT_WEBHOOK_SETTINGS,
        background_store: Store | None = None,
    ) -> None:
        self.store = store
        self.digests = DigestRefresher(store, clock)
        # Shared reads (an RFP, a proposal, audit events) and who may see them.
        self.ground = MarketGround(store, clock, self.digests)
        self.organizations = OrganizationService(self.ground, register_limit, register_global_limit)
        self.members = MemberService(self.ground)
        self.evaluation = EvaluationService(self.ground)
        self.rfps = RfpService(self.ground)
        self.proposals = ProposalService(self.ground)
        self.ranking = RankingService(self.ground)
        self.clarifications = ClarificationService(self.ground)
        self.addenda = AddendumService(self.ground, self.rfps)
        self.debriefs = DebriefService(self.ground)
        # The change stream and the webhook dispatcher work in the background, on their own client
        # when given one: their commands never mix with (or count against) a request's.
        background = MarketGround(background_store or store, clock, self.digests)
        self.feed = LiveFeed(background, live_limits)
        self.live = LiveService(self.ground, self.feed, self.authenticate)
        self.webhooks = WebhookService(self.ground, webhook_settings)
        self.dispatcher = WebhookDispatcher(background, self.feed, webhook_settings)

    def now(self) -> datetime:
        return self.ground.now()

    async def authenticate(self, api_key: str) -> OrganizationRecord | None:
        """The caller behind a key: an organization-level key (acting as OWNER), else a member's
        (its own index, read only on this miss); None for an unknown, revoked or deactivated one."""
        viewer = await self.organizations.authenticate(api_key)
        return viewer if viewer is not None else await self.members.authenticate(api_key)


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
