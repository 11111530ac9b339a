"""Live updates: one MongoDB change stream per instance over `audit_events`, fanned out to the
instance's subscribers.

Every change writes its audit event in the same transaction as the change, so the audit events are
the event log and a committed change is seen by every instance's stream, whichever instance wrote
it. The stream resumes from the last resume token after a failure (database restarted, network
cut): nothing is lost and nothing is delivered twice. Each subscriber has a bounded queue: one too
slow to keep up is dropped (SLOW_SUBSCRIBER) rather than allowed to grow memory. Who receives what
is decided per event by the same reads and predicates queries use (ground.get_rfp,
ground.sees_proposals_of: market/visibility.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo.errors import PyMongoError

import scoring
from api.services.ground import MarketGround
from api.store.database import parse_object_id
from api.store.document import Document
from api.store.rankings import SLOT_DOC, live_entry
from market.live import (
    PROPOSAL_EVENT_KINDS,
    ProposalEventKind,
    ProposalEventRecord,
    RankingChangeRecord,
    RfpEventKind,
    RfpEventRecord,
    SubscriptionRefused,
    moves_ranking,
    rfp_event_kinds,
)
from market.records import OrganizationRecord, RfpRecord
from market.vocabulary import OrganizationKind, ProposalStatus

log = logging.getLogger("rfpmarket.live")
Authenticate = Callable[[str], Awaitable[OrganizationRecord | None]]


@dataclass(frozen=True)
class Change:
    """One committed audit event with what routing needs: the RFP it concerns and, for a proposal,
    the proposal and its vendor (read once per instance, not once per subscriber)."""

    action: str
    at: Any
    subject_id: ObjectId
    rfp_id: ObjectId
    proposal_id: ObjectId | None = None
    vendor_id: ObjectId | None = None
    event_id: ObjectId | None = None  # the audit event's: webhook deliveries derive their ids from it
    fields: tuple[str, ...] = ()  # the audit event's changedFields (an addendum's: what it changed)
    fields_omitted: int = 0  # changedFields beyond the audit event's cap

    def rfp_kinds(self) -> tuple[RfpEventKind, ...]:
        """The RFP events this change makes (none for a proposal's change)."""
        return () if self.proposal_id is not None else rfp_event_kinds(self.action, self.fields)

    def moves_ranking(self) -> bool:
        return moves_ranking(self.action, self.fields, self.fields_omitted, self.proposal_id is not None)

    def rescores_proposals(self) -> bool:
        """A change to the RFP that rescored its proposals without a revision (a re-weighting, an
        addendum that rescores): each bidder hears RESCORED for its own proposal."""
        return self.proposal_id is None and self.moves_ranking()


@dataclass(frozen=True)
class LiveLimits:
    per_connection: int = 20
    per_instance: int = 5_000
    queue_size: int = 256  # events a subscriber may fall behind before it is dropped
    recheck_seconds: float = 5.0  # how soon a revoked key ends its subscriptions


DEFAULT_LIVE_LIMITS = LiveLimits()
CLOSE_SECONDS = 2.0  # the most a background task's stop may hold shutdown
START_SECONDS = 10.0  # the most start-up waits for the change stream to open
RESCORED = ProposalEventKind.RESCORED
SHUTTING_DOWN = SubscriptionRefused("SHUTTING_DOWN", "this instance is shutting down; subscribe again")


class Subscriber:
    def __init__(self, accepts: Callable[[Change], bool], capacity: int) -> None:
        self.accepts = accepts
        # None is the stop signal: it wakes a reader waiting on an empty queue.
        self.queue: asyncio.Queue[Change | None] = asyncio.Queue(capacity)
        self.overflowed = False
        self.stopped = False

    def offer(self, change: Change) -> None:
        if self.overflowed or self.stopped or not self.accepts(change):
            return
        try:
            self.queue.put_nowait(change)
        except asyncio.QueueFull:
            self.overflowed = True  # never buffer without bound: the subscriber is dropped

    def stop(self) -> None:
        """Ends the subscription at its next read (the instance shuts down)."""
        self.stopped = True
        with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes its reader anyway
            self.queue.put_nowait(None)

    async def next(self, timeout: float) -> Change | None:
        """The next change, or None after `timeout` seconds without one."""
        if self.stopped:
            raise SHUTTING_DOWN
        if self.overflowed:
            raise SubscriptionRefused("SLOW_SUBSCRIBER", "events arrived faster than they were read")
        try:
            change = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        if self.stopped:
            raise SHUTTING_DOWN
        return change


async def own_live_proposal(ground: MarketGround, vendor: ObjectId, rfp_id: ObjectId) -> ObjectId | None:
    """The vendor's proposal on the RFP unless withdrawn: one read on the (rfpId, vendorId) index."""
    # Flat (the index's two fields, no hint: SecantusDB walks a hinted index whole); the status is
    # judged here, a field beside them would plan the filter as a scan.
    doc = await ground.store.proposals.find_one({"rfpId": rfp_id, "vendorId": vendor}, {"status": 1})
    if doc is None or doc.get("status") == ProposalStatus.WITHDRAWN.value:
        return None
    return ObjectId(doc["_id"])


class LiveFeed:
    """The instance's one change stream and its subscribers."""

    def __init__(self, ground: MarketGround, limits: LiveLimits) -> None:
        self.ground = ground
        self.limits = limits
        self.subscribers: set[Subscriber] = set()
        self.per_connection: Counter[str] = Counter()
        self.resume_token: Mapping[str, Any] | None = None
        self.task: asyncio.Task[None] | None = None
        self.opened = asyncio.Event()
        self.closed = False

    async def start(self) -> None:
        """Opens the stream before returning: a change committed afterwards reaches subscribers.
        Bounded: a database that does not answer delays start-up by START_SECONDS, not forever
        (the stream keeps trying to open in the background)."""
        self.task = asyncio.create_task(self._run(), name="live-feed")
        try:
            await asyncio.wait_for(self.opened.wait(), START_SECONDS)
        except TimeoutError:
            log.error("the change stream did not open within %s s; still trying", START_SECONDS)

    async def close(self) -> None:
        """Stops the stream and ends every subscription, within CLOSE_SECONDS."""
        self.closed = True
        for subscriber in list(self.subscribers):
            subscriber.stop()
        if self.task is not None:
            self.task.cancel()
            # Bounded: a cursor's close that the database does not answer must not hold shutdown.
            done, _ = await asyncio.wait({self.task}, timeout=CLOSE_SECONDS)
            if not done:
                log.warning("the change stream did not stop within %s s", CLOSE_SECONDS)

    async def _run(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._follow()
                delay = 0.1
            except PyMongoError as error:
                log.warning("change stream interrupted (%s); resuming", error)
            except Exception:
                # Whatever else fails (a malformed event) must not end live updates for good.
                log.exception("change stream failed; reopening it")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)  # back off while the database is away

    async def _follow(self) -> None:
        pipeline = [{"$match": {"operationType": "insert"}}]
        stream = await self.ground.store.audit_events.watch(pipeline, resume_after=self.resume_token)
        async with stream:
            self.opened.set()
            async for event in stream:
                if event.get("operationType") == "invalidate":
                    # The collection was dropped (a test's database, a restore): resuming after an
                    # invalidate is refused, so the stream starts again from the present.
                    self.resume_token = None
                    return
                change = await self._route(event["fullDocument"])
                # The token after routing: a failure before this point replays the event, once.
                self.resume_token = stream.resume_token
                if change is not None:
                    for subscriber in list(self.subscribers):
                        subscriber.offer(change)

    async def _route(self, doc: Document) -> Change | None:
        store, subject = self.ground.store, doc["subjectId"]
        base = {
            "action": doc["action"],
            "at": doc["at"],
            "subject_id": subject,
            "event_id": doc["_id"],
            "fields": tuple(doc.get("changedFields") or ()),
            "fields_omitted": doc.get("changedFieldsOmitted") or 0,
        }
        if await store.rfps.count_documents({"_id": subject}, limit=1):
            return Change(rfp_id=subject, **base)
        proposal = await store.proposals.find_one({"_id": subject}, {"rfpId": 1, "vendorId": 1})
        if proposal is None:
            return None  # an organization's event: not a live update
        return Change(rfp_id=proposal["rfpId"], proposal_id=subject, vendor_id=proposal["vendorId"], **base)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, connection: str, accepts: Callable[[Change], bool], capacity: int | None = None
    ) -> AsyncIterator[Subscriber]:
        if self.closed:
            raise SHUTTING_DOWN
        if len(self.subscribers) >= self.limits.per_instance:
            raise SubscriptionRefused("TOO_MANY_SUBSCRIPTIONS", "this instance holds all it can; retry later")
        if self.per_connection[connection] >= self.limits.per_connection:
            message = f"at most {self.limits.per_connection} subscriptions per connection"
            raise SubscriptionRefused("TOO_MANY_SUBSCRIPTIONS", message)
        subscriber = Subscriber(accepts, capacity or self.limits.queue_size)
        self.subscribers.add(subscriber)
        self.per_connection[connection] += 1
        try:
            yield subscriber
        finally:
            self.subscribers.discard(subscriber)
            self.per_connection[connection] -= 1
            if self.per_connection[connection] <= 0:
                del self.per_connection[connection]


class LiveService:
    """The three subscriptions. `credential` is the caller's API key: it is checked again at least
    every recheck_seconds, so revoking it ends the subscriptions."""

    def __init__(self, ground: MarketGround, feed: LiveFeed, authenticate: Authenticate) -> None:
        self.ground = ground
        self.feed = feed
        self.authenticate = authenticate

    async def _changes(
        self,
        viewer: OrganizationRecord,
        credential: str | None,
        connection: str,
        accepts: Callable[[Change], bool],
    ) -> AsyncIterator[Change]:
        recheck = self.feed.limits.recheck_seconds
        async with self.feed.subscribe(connection, accepts) as subscriber:
            checked = time.monotonic()
            while True:
                change = await subscriber.next(recheck)
                # The key is read again at most every `recheck` seconds, not per event: a burst of
                # events to many subscribers must not become a burst of key lookups.
                if time.monotonic() - checked >= recheck:
                    still = await self.authenticate(credential) if credential else None
                    if still is None or still.id != viewer.id:
                        raise SubscriptionRefused("UNAUTHENTICATED", "the API key was revoked")
                    if still.role != viewer.role:  # what the member may read changed: ask again
                        raise SubscriptionRefused("FORBIDDEN", "the member's role changed: subscribe again")
                    checked = time.monotonic()
                if change is not None:
                    yield change

    async def rfp_events(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str, rfp_id: str
    ) -> AsyncIterator[RfpEventRecord]:
        rfp_oid = await self._readable_rfp(viewer, rfp_id)
        assert viewer is not None  # _readable_rfp refuses anonymous callers

        def accepts(change: Change) -> bool:
            return change.subject_id == rfp_oid and bool(change.rfp_kinds())

        async for change in self._changes(viewer, credential, connection, accepts):
            if await self.ground.get_rfp(viewer, rfp_id) is not None:  # as a query would see it
                for kind in change.rfp_kinds():
                    yield RfpEventRecord(rfp_id, kind, change.at)

    async def my_proposal_events(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str
    ) -> AsyncIterator[ProposalEventRecord]:
        if viewer is None or viewer.kind is not OrganizationKind.VENDOR:
            raise SubscriptionRefused("FORBIDDEN", "only a vendor organization has proposals")
        vendor = ObjectId(viewer.id)

        def accepts(change: Change) -> bool:
            if change.rescores_proposals():
                return True  # whether this vendor bids on the RFP is one indexed read, below
            return change.vendor_id == vendor and change.action in PROPOSAL_EVENT_KINDS

        async for change in self._changes(viewer, credential, connection, accepts):
            if change.rescores_proposals():
                # A vendor always reads its own proposal's score, sealed or not; of the RFP's other
                # proposals it learns nothing, not even that the RFP was re-weighted if it has none.
                own = await own_live_proposal(self.ground, vendor, change.rfp_id)
                if own is not None:
                    yield ProposalEventRecord(str(own), str(change.rfp_id), RESCORED, change.at)
                continue
            kind = PROPOSAL_EVENT_KINDS[change.action]
            yield ProposalEventRecord(str(change.proposal_id), str(change.rfp_id), kind, change.at)

    async def proposal_events(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str, rfp_id: str
    ) -> AsyncIterator[ProposalEventRecord]:
        """The RFP's buyer: each proposal's arrival, revision, withdrawal and status change. Sealed
        bids stay sealed: before the deadline nothing is sent (rankingChanged carries the count), and
        a member whose role reads no proposal (an EVALUATOR) hears nothing."""
        rfp_oid = await self._readable_rfp(viewer, rfp_id)
        assert viewer is not None
        if await self.ground.owned_rfp(viewer, rfp_id) is None:
            raise SubscriptionRefused("NOT_FOUND", "RFP not found")

        def accepts(change: Change) -> bool:
            return (
                change.rfp_id == rfp_oid
                and change.proposal_id is not None
                and change.action in PROPOSAL_EVENT_KINDS
            )

        async for change in self._changes(viewer, credential, connection, accepts):
            rfp = await self.ground.owned_rfp(viewer, rfp_id)
            if rfp is None or not self.ground.sees_proposals_of(viewer, rfp):
                continue
            kind = PROPOSAL_EVENT_KINDS[change.action]
            yield ProposalEventRecord(str(change.proposal_id), rfp_id, kind, change.at)

    async def ranking_changed(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str, rfp_id: str
    ) -> AsyncIterator[RankingChangeRecord]:
        rfp_oid = await self._readable_rfp(viewer, rfp_id)
        assert viewer is not None
        if await self.ground.owned_rfp(viewer, rfp_id) is None:
            raise SubscriptionRefused("NOT_FOUND", "RFP not found")

        def accepts(change: Change) -> bool:
            return change.rfp_id == rfp_oid and change.moves_ranking()

        async for change in self._changes(viewer, credential, connection, accepts):
            rfp = await self.ground.owned_rfp(viewer, rfp_id)
            if rfp is None:
                continue
            event = RankingChangeRecord(rfp_id, rfp.proposal_count, change.at)
            # Sealed bids stay sealed: before the deadline the buyer learns the count only.
            if change.proposal_id is not None and self.ground.sees_proposals_of(viewer, rfp):
                event = await self._placed(event, change.proposal_id, rfp)
            yield event

    async def _placed(
        self, event: RankingChangeRecord, proposal_id: ObjectId, rfp: RfpRecord
    ) -> RankingChangeRecord:
        """The proposal's rank and total as the RFP's ranking shows them now: counted on the key field
        the RFP reads (re-weighting switches it), totalled under the RFP's current weights (stored
        totals are not rewritten). An RFP with qualitative criteria ranks by the overall total,
        which takes every consensus score: its events carry no rank or total (refetch the page)."""
        unplaced = RankingChangeRecord(event.rfp_id, event.proposal_count, event.at, str(proposal_id))
        if rfp.qualitative_criteria:
            return unplaced
        rankings, field = self.ground.store.rankings, rfp.rank_field
        stored = await rankings.find_one(
            {"_id": proposal_id}, {field: 1, "values": 1, "rfpId": 1, SLOT_DOC: 1}
        )
        if stored is None or field not in stored:
            return unplaced  # withdrawn: no longer ranked
        entry = live_entry(stored, rfp.score_slot)
        ahead = await rankings.count_documents({field: {"$gte": str(entry["rfpId"]), "$lt": entry[field]}})
        total = scoring.total_under(tuple(entry["values"]), rfp.context.weights)
        return RankingChangeRecord(
            event.rfp_id, event.proposal_count, event.at, str(proposal_id), ahead + 1, total
        )

    async def _readable_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> ObjectId:
        if viewer is None:
            raise SubscriptionRefused("UNAUTHENTICATED", "subscriptions need an API key")
        oid = parse_object_id(rfp_id)
        if oid is None or await self.ground.get_rfp(viewer, rfp_id) is None:
            raise SubscriptionRefused("NOT_FOUND", "RFP not found")
        return oid
