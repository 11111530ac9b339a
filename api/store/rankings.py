"""The `rankings` collection: one small entry per live proposal, and the RFP's ranking digest.

The entry's `key` is an *encoding* of the ranking order that scoring defines once
(`scoring.ranking_sort_key`): comparing two keys as strings orders two proposals exactly as comparing
their sort keys does (tests/api/store/test_rank_key.py proves it as a property). One indexed string
makes a ranked page a single range scan whatever the server, and the key is the page cursor.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import struct
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from weakref import WeakValueDictionary

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

import scoring
from api.observability.metrics import observe_digest_refresh
from api.store.database import Store
from api.store.document import Document
from market.records import RfpRecord
from scoring.model import ProposalScore, Weights
from scoring.rank import CRITERIA, SortKey, weight_vector

log = logging.getLogger("rfpmarket.ranking")

# One string orders an RFP's proposals as scoring.ranking_sort_key does: eligible first, then
# requirements met, then the higher total, then the criteria in weight order, then the earlier
# submission, then the id. A single indexed field makes a page one range scan (`key > cursor`) on
# any MongoDB-wire server, and the key is the cursor.
RANK_SORT = [("key", 1)]
ENTRY_FIELDS = {
    "_id": 1,
    "key": 1,
    "keyB": 1,
    "eligible": 1,
    "meets": 1,
    "total": 1,
    "submittedAt": 1,
    "values": 1,
    "cost": 1,
    "b": 1,
}
# An entry keeps its score data in two slots: slot 0 at the top level (values, eligible, meets,
# total, cost, version), slot 1 under "b". The RFP's scoreSlot names the live one; an addendum's
# rescoring writes the other in batches and switches. Readers pick the live one with live_entry.
SLOT_DOC = "b"
SLOT_DATA = ("values", "eligible", "meets", "total", "cost", "version")


def live_entry(entry: Document, slot: int) -> Document:
    """The entry as its RFP's live slot has it (score data at the top level): the one accessor of
    stored entry scores (project SLOT_DOC beside the fields a reader needs)."""
    if not slot:
        return entry
    return {**entry, **(entry.get(SLOT_DOC) or {})}


def cost_field(slot: int) -> str:
    """The field holding an entry's cost in `slot` (both have an index beside rfpId)."""
    return f"{SLOT_DOC}.cost" if slot else "cost"


def slot_fields(score: ProposalScore, slot: int) -> Document:
    """An entry's score data in `slot`, as a $set or an inserted document takes it."""
    data: Document = {
        "eligible": 1 if score.eligible else 0,
        "meets": 1 if score.meets_requirements else 0,
        "version": score.scoring_version,
        "total": score.total,
        "values": list(scoring.criterion_values(score)),
        "cost": score.normalized_monthly_cost.amount,
    }
    return {SLOT_DOC: data} if slot else data


MAX_BITS = 0xFFFF_FFFF_FFFF_FFFF
# A page reads its range only up to the next fence (the key every FENCE_SPACING ranks), so a page
# deep in a large RFP costs about FENCE_SPACING entries, not all of them.
FENCE_SPACING = 500


def _descending(value: float) -> str:
    # A non-negative float's IEEE 754 bits order like its value, so inverted bits order values
    # exactly from high to low, float tails included (+ 0.0 turns a -0.0 into 0.0).
    bits = struct.unpack(">Q", struct.pack(">d", value + 0.0))[0]
    return f"{MAX_BITS - bits:016x}"


def rank_key(rfp_id: ObjectId, proposal_id: ObjectId, submitted_at: datetime, score: ProposalScore) -> str:
    """scoring.ranking_sort_key as one string: gates, total, criteria in weight order, time, id."""
    weights = [c.weight for c in sorted(score.components, key=lambda c: CRITERIA.index(c.criterion))]
    values = scoring.criterion_values(score)
    gates = (score.eligible, score.meets_requirements)
    return _key(rfp_id, proposal_id, submitted_at, gates, score.total, values, weights)


def _key(
    rfp_id: ObjectId,
    proposal_id: ObjectId,
    submitted_at: datetime,
    gates: tuple[bool, bool],
    total: float,
    values: Sequence[float],
    weights: Sequence[float],
) -> str:
    eligible = "0" if gates[0] else "1"
    met = "0" if gates[1] else "1"
    criteria = "".join(_descending(values[i]) for i in scoring.criteria_in_weight_order(weights))
    millis = int(submitted_at.timestamp() * 1000)
    return f"{rfp_id}{eligible}{met}{_descending(total)}{criteria}{millis:013d}{proposal_id}"


def entry_key(rfp_id: ObjectId, entry: Document, weights: Weights) -> str:
    """The ranking key of a stored entry under `weights`, from its criteria (nothing is rescored):
    what re-weighting writes, equal to rank_key of the reweighed score."""
    values = tuple(entry["values"])
    gates = (bool(entry.get("eligible", 0)), bool(entry["meets"]))
    total = scoring.total_under(values, weights)
    return _key(rfp_id, entry["_id"], entry["submittedAt"], gates, total, values, weight_vector(weights))


# The two ranking key fields: the RFP names the one its pages read (RfpRecord.rank_field).
RANK_FIELDS = ("key", "keyB")


def other_field(field: str) -> str:
    return RANK_FIELDS[1] if field == RANK_FIELDS[0] else RANK_FIELDS[0]


def pending_weights(rfp: RfpRecord) -> Weights | None:
    """The weights a re-weighting under way moves the RFP to: writes key their entries under them too."""
    return rfp.reweighing.weights if rfp.reweighing else None


def rank_sort(field: str) -> list[tuple[str, int]]:
    return [(field, 1)]


def entry_order(entry: Document, weights: Weights) -> SortKey:
    """The order of a stored entry under what-if `weights`: ranking_sort_key, from the entry."""
    values = tuple(entry["values"])
    return scoring.order_key(
        bool(entry.get("eligible", 0)),  # an entry written before v2 has none until rescored
        bool(entry["meets"]),
        scoring.total_under(values, weights),
        values,
        weight_vector(weights),
        entry["submittedAt"],
        str(entry["_id"]),
    )


def rank_range(
    rfp_id: ObjectId | str, after: str | None = None, through: str | None = None, field: str = "key"
) -> Document:
    """The filter for an RFP's entries, optionally strictly after a key and up to one, to read in
    rank_sort(field) order (`field`: the RFP's rank_field)."""
    prefix = str(rfp_id)
    lower = {"$gt": after} if after else {"$gte": prefix}
    # "~" sorts after the 0 or 1 that every key of the RFP continues with.
    upper = {"$lte": through} if through else {"$lt": prefix + "~"}
    return {field: lower | upper}


def scored_fields(
    rfp_id: ObjectId,
    proposal_id: ObjectId,
    submitted_at: datetime,
    score: ProposalScore,
    field: str = "key",
    pending: Weights | None = None,
    slot: int = 0,
    next_score: ProposalScore | None = None,
) -> Document:
    """What an entry keeps of a score: both ranking keys, the criteria and the cost. `field` is the
    RFP's rank_field and `slot` its score slot; the other key holds the key under the weights a
    re-weighting under way moves to (`pending`), or of `next_score` (the score under an addendum
    being rescored, also written to the other slot), else a copy (unique per entry; the next job
    overwrites it)."""
    key = rank_key(rfp_id, proposal_id, submitted_at, score)
    if next_score is not None:
        later = rank_key(rfp_id, proposal_id, submitted_at, next_score)
    elif pending:
        later = rank_key(rfp_id, proposal_id, submitted_at, scoring.reweigh(score, pending))
    else:
        later = key
    fields = {field: key, other_field(field): later, **slot_fields(score, slot)}
    if next_score is not None:
        fields.update(slot_fields(next_score, 1 - slot))
    return fields


def ranking_entry(
    proposal: Document,
    score: ProposalScore,
    field: str = "key",
    pending: Weights | None = None,
    slot: int = 0,
    next_score: ProposalScore | None = None,
) -> Document:
    """The entry of a stored proposal document (one that has its `_id`) with its score."""
    at = proposal["submittedAt"]
    return {
        "_id": proposal["_id"],
        "rfpId": proposal["rfpId"],
        "vendorId": proposal["vendorId"],
        "status": proposal["status"],
        "submittedAt": at,
        **scored_fields(proposal["rfpId"], proposal["_id"], at, score, field, pending, slot, next_score),
    }


DIGEST = "rankingDigest"


async def refresh_ranking_digest(store: Store, rfp_id: str, now: datetime) -> None:
    """Recompute the RFP's whole digest from its entries: after bulk jobs (seeding, rescoring)
    and to migrate a digest written before the running figures. The figures are recomputed in a
    transaction, so a concurrent write (which updates them in its own) is never lost."""
    async with store.client.start_session() as session:

        async def work(session: AsyncClientSession) -> None:
            doc = await store.rfps.find_one({"_id": ObjectId(rfp_id)}, {"scoreSlot": 1}, session=session)
            slot = (doc or {}).get("scoreSlot", 0)
            await recompute_cost_figures(store, ObjectId(rfp_id), session, cost_field(slot))

        await session.with_transaction(work)
    await refresh_fences(store, rfp_id, now)


async def recompute_cost_figures(
    store: Store, rfp_id: ObjectId, session: AsyncClientSession, field: str = "cost"
) -> None:
    """The count, sum and next-price flags of the RFP's costs in `field` (cost_field of a slot)
    from one indexed read of them. Entries may have changed wholesale (seeding, rescoring): the
    change log starts afresh, so a cached vector older than this version is read again whole."""
    found = store.rankings.find({"rfpId": rfp_id}, {field: 1, "_id": 0}, session=session)
    costs = [_cost_in(entry, field) async for entry in found]
    total, flagged = scoring.low_price_summary(costs)
    span = (min(costs, default=None), max(costs, default=None))
    await _set_figures(store, rfp_id, len(costs), total, flagged, session, span)


# The change log: per ranking version, the ids of the entries that write changed (inserted,
# updated or deleted), for the last CHANGE_LOG versions. A cached what-if vector a few versions
# behind reads only those entries (api/services/what_if_cache.py); one further behind reads all.
CHANGE_LOG = 64


def seeded_digest(entries: Sequence[Document], now: datetime) -> Document:
    """The digest refresh_ranking_digest writes for an RFP with these entries and no digest yet,
    computed in memory: bulk seeding writes it with the RFP instead of one refresh per RFP."""
    costs = [entry["cost"] for entry in entries]
    total, flagged = scoring.low_price_summary(costs)
    figures = _figures(len(entries), total, flagged)
    figures |= {"floor": min(costs, default=None), "ceiling": max(costs, default=None), "changes": []}
    return figures | {"version": 1} | _fence_fields(sorted(entry["key"] for entry in entries), now)


def _figures(count: int, total: Decimal, flagged: dict[Decimal, Decimal]) -> Document:
    return {
        "count": count,
        "total": total,
        "next": sorted([cost, following] for cost, following in flagged.items()),
    }


def _fence_fields(keys: Sequence[str], now: datetime) -> Document:
    return {"fences": list(keys[FENCE_SPACING - 1 :: FENCE_SPACING]), "fencedCount": len(keys), "at": now}


async def _set_figures(
    store: Store,
    rfp_id: ObjectId,
    count: int,
    total: Decimal,
    flagged: dict[Decimal, Decimal],
    session: AsyncClientSession,
    span: tuple[Decimal | None, Decimal | None] | None,
    logged: tuple[int, Sequence[ObjectId]] | None = None,
) -> None:
    """`span`: no live cost is below its floor nor above its ceiling (bounds, not the minimum and
    maximum: they only widen between recomputes; None in it: no cost yet; None: unknown, a digest
    written before them, left so until a recompute). `logged`: the version this write makes and
    the entries it changed, or None when the change is not logged (the log then restarts)."""
    figures = _figures(count, total, flagged)
    if span is not None:
        figures |= {"floor": span[0], "ceiling": span[1]}
    # The version tells cached vectors of the entries (api/services/what_if_cache.py) they are old.
    update: Document = {"$inc": {f"{DIGEST}.version": 1}}
    if logged is None:
        figures["changes"] = []
    else:
        change = {"v": logged[0], "ids": list(logged[1])}
        update["$push"] = {f"{DIGEST}.changes": {"$each": [change], "$slice": -CHANGE_LOG}}
    update["$set"] = {f"{DIGEST}.{name}": value for name, value in figures.items()}
    await store.rfps.update_one({"_id": rfp_id}, update, session=session)


def _cost_in(entry: Document, field: str) -> Decimal:
    """The cost at `field` (a dotted cost_field) of a projected entry."""
    value: Decimal = entry[SLOT_DOC]["cost"] if field != "cost" else entry["cost"]
    return value


async def apply_cost_changes(
    store: Store,
    session: AsyncClientSession,
    rfp_id: ObjectId,
    added: Sequence[Decimal] = (),
    removed: Sequence[Decimal] = (),
    changed: Sequence[ObjectId] = (),
    field: str = "cost",
    written: Document | None = None,
) -> bool:
    """Bring the RFP's cost figures up to date inside the write's transaction, after the write
    changed its entries (costs `added` and `removed`, entries `changed`, for the change log): a
    few indexed reads, whatever the RFP's size.

    Only the changed costs and the next lower cost around each can change their next price (the
    others keep theirs), and count and sum move by the change. Every such write also writes the
    RFP, so concurrent writes conflict there and one retries: the figures and the change log never
    miss a write. `written`: the RFP as this transaction already wrote it (a submission and a
    revision have it), so its digest is not read again. Returns whether the fences are due a
    background refresh."""
    doc = written
    if doc is None:
        read = ("count", "total", "next", "floor", "ceiling", "version", "fencedCount")  # not the log
        doc = await store.rfps.find_one(
            {"_id": rfp_id}, {f"{DIGEST}.{name}": 1 for name in read}, session=session
        )
    digest = (doc or {}).get(DIGEST) or {}
    if "total" not in digest:  # before the running figures: recompute them once
        await recompute_cost_figures(store, rfp_id, session, field)
        return True
    flagged: dict[Decimal, Decimal] = {row[0]: row[1] for row in digest.get("next", ())}
    span = _widened(digest, added)
    count = digest["count"] + len(added) - len(removed)
    known = await _all_costs(store, rfp_id, session, field) if count <= WHOLE_READ_UP_TO else None
    bounds = Bounds(typical_spacing(digest["count"], digest["total"]), span, known)
    affected = set(added) | set(removed)
    for cost in list(affected):
        lower = await _next_lower(store, rfp_id, cost, session, bounds, field)
        if lower is not None:
            affected.add(lower)
    for cost in affected:
        flagged.pop(cost, None)
        present, following = await _next_price(store, rfp_id, cost, session, bounds, field)
        if present and following is not None and scoring.low_by_next(cost, following):
            flagged[cost] = following
    total = scoring.running_total(digest["total"], added, removed)
    version = digest.get("version")
    logged = (version + 1, changed) if isinstance(version, int) and changed else None
    await _set_figures(store, rfp_id, count, total, flagged, session, span, logged)
    return fences_due(count, digest.get("fencedCount"))


def _widened(digest: Document, added: Sequence[Decimal]) -> tuple[Decimal | None, Decimal | None] | None:
    """The digest's floor and ceiling after `added` arrive; None (unknown) before it had them."""
    if "ceiling" not in digest:
        return None
    floor = min((c for c in (digest["floor"], *added) if c is not None), default=None)
    return floor, max((c for c in (digest["ceiling"], *added) if c is not None), default=None)


# No `hint` on these reads: the planner picks the cost index by itself, and on SecantusDB a hinted
# read walks the whole index (300 ms instead of 3 at 5,000 entries). Nor one sorted read of a whole
# side: SecantusDB examines every entry a range matches, even under a limit (measured at 20,000
# entries: 0.25 ms an entry, a 1% window held 198 and cost 30-50 ms; the read of one side 670 ms).
# So "the next cost above" is read in windows that widen fourfold until one holds enough, starting
# at 1% of the cost or, on a large RFP, at the width that holds about WINDOW_ENTRIES costs at its
# mean spacing: a few entries examined per read, whatever the RFP's size.
FIRST_WINDOW = Decimal("0.01")
MIN_WIDTH = Decimal("0.01")
WINDOW_ENTRIES = 4


# An RFP with at most this many live costs has them read once, in one command, instead of a few
# windows around each changed cost (each its own round trip): the read examines no more entries
# than the windows would, and a submission to a typical RFP sends 6 commands fewer.
WHOLE_READ_UP_TO = 64


@dataclass(frozen=True)
class Bounds:
    """What an RFP's figures tell its cost reads: the first window's width, the floor and ceiling
    no live cost lies beyond (None when unknown: a digest written before them), and every live
    cost, ascending, when a small RFP's were read whole (the windows are then not read)."""

    spacing: Decimal
    span: tuple[Decimal | None, Decimal | None] | None
    known: Sequence[Decimal] | None = None


async def _all_costs(
    store: Store, rfp_id: ObjectId, session: AsyncClientSession, field: str
) -> list[Decimal]:
    """A small RFP's live costs at `field`, ascending (an entry without one, not yet scored in
    that slot, is skipped, as the windows' ranges skip it)."""
    found = store.rankings.find({"rfpId": rfp_id}, {field: 1, "_id": 0}, session=session)
    costs = [_cost_or_none(entry, field) for entry in await found.to_list(None)]
    return sorted(cost for cost in costs if cost is not None)


def _cost_or_none(entry: Document, field: str) -> Decimal | None:
    value = entry.get(SLOT_DOC, {}).get("cost") if field != "cost" else entry.get("cost")
    return value if isinstance(value, Decimal) else None


def typical_spacing(count: int, total: Decimal) -> Decimal:
    """The width that holds about WINDOW_ENTRIES of an RFP's costs if they spread over about their
    mean (bids cluster around the budget): WINDOW_ENTRIES x mean / count."""
    if count <= 0 or total <= 0:
        return Decimal("Infinity")
    return max((total / count / count * WINDOW_ENTRIES).quantize(MIN_WIDTH), MIN_WIDTH)


async def _next_lower(
    store: Store, rfp_id: ObjectId, cost: Decimal, session: AsyncClientSession, bounds: Bounds, field: str
) -> Decimal | None:
    below = await _nearest(store, rfp_id, cost, session, bounds, field, above=False, limit=1)
    return below[0] if below else None


async def _next_price(
    store: Store, rfp_id: ObjectId, cost: Decimal, session: AsyncClientSession, bounds: Bounds, field: str
) -> tuple[bool, Decimal | None]:
    """Whether `cost` is still live, and the next price after one occurrence of it (the cost itself
    when two proposals share it, as low_price_references has it)."""
    two = await _nearest(store, rfp_id, cost, session, bounds, field, above=True, limit=2)
    if not two or two[0] != cost:
        return False, None
    return True, two[1] if len(two) > 1 else None


async def _nearest(
    store: Store,
    rfp_id: ObjectId,
    cost: Decimal,
    session: AsyncClientSession,
    bounds: Bounds,
    field: str,
    above: bool,
    limit: int,
) -> list[Decimal]:
    """The `limit` live costs nearest to `cost` on one side (above includes `cost` itself), nearest
    first: the first window that holds `limit` of them, or the whole side when it holds fewer."""
    if bounds.known is not None:
        at = bisect.bisect_left(bounds.known, cost)
        side = bounds.known[at : at + limit] if above else bounds.known[max(at - limit, 0) : at][::-1]
        return list(side)
    width = max(min(cost * FIRST_WINDOW, bounds.spacing), MIN_WIDTH)
    while True:
        inside = {"$gte": cost, "$lt": cost + width} if above else {"$lt": cost, "$gte": cost - width}
        found = store.rankings.find({"rfpId": rfp_id, field: inside}, {field: 1, "_id": 0}, session=session)
        costs = await found.sort([(field, 1 if above else -1)]).limit(limit).to_list(limit)
        if len(costs) >= limit or await _whole_side(
            store, rfp_id, cost, width, above, bounds, field, session
        ):
            return [_cost_in(entry, field) for entry in costs]
        width *= 4


async def _whole_side(
    store: Store,
    rfp_id: ObjectId,
    cost: Decimal,
    width: Decimal,
    above: bool,
    bounds: Bounds,
    field: str,
    session: AsyncClientSession,
) -> bool:
    """Whether the window of `width` beside `cost` held every live cost on its side: known from
    the figures (none is below the floor or above the ceiling), else asked (a read that examines
    the whole rest of the side on SecantusDB, hence only for a digest without them)."""
    floor, ceiling = bounds.span or (None, None)
    if not above and cost - width <= 0:
        return True
    if not above and floor is not None:
        return cost - width <= floor
    if above and ceiling is not None:
        return cost + width > ceiling
    beyond = {"$gte": cost + width} if above else {"$lt": cost - width}
    more = store.rankings.find({"rfpId": rfp_id, field: beyond}, {"_id": 1}, session=session)
    return not await more.limit(1).to_list(1)


def fences_due(count: int, fenced_count: int | None) -> bool:
    """Fences are a hint (a stale one costs a page a second read, never a wrong page): refresh them
    once the ranking grew or shrank by a twentieth since, so a large RFP scans its keys once in
    hundreds of writes and a small one (a cheap scan) keeps exact fences."""
    return fenced_count is None or abs(count - fenced_count) >= max(1, fenced_count // 20)


async def refresh_fences(
    store: Store, rfp_id: str, now: datetime, turn: AbstractAsyncContextManager[object] | None = None
) -> None:
    """The key at every FENCE_SPACING-th rank, from the ranking index alone (keys only). A refresh
    that started earlier never overwrites one that started later. The scan runs outside `turn`,
    only the one write to the RFP inside it."""
    doc = await store.rfps.find_one({"_id": ObjectId(rfp_id)}, {"rankField": 1})
    field = (doc or {}).get("rankField", "key")
    found = store.rankings.find(rank_range(rfp_id, field=field), {field: 1, "_id": 0}).sort(rank_sort(field))
    keys = [entry[field] async for entry in found]
    fences = _fence_fields(keys, now)
    async with turn or contextlib.nullcontext():
        await store.rfps.update_one(
            {"_id": ObjectId(rfp_id), f"{DIGEST}.at": {"$not": {"$gt": now}}},
            {"$set": {f"{DIGEST}.{name}": value for name, value in fences.items()}},
        )


async def migrate_digests(store: Store) -> int:
    """At start-up: digests written before the running figures, or before their floor and ceiling
    (without which a write's cost reads ask whether each side goes on: a read of the whole side),
    are recomputed once (returns how many)."""
    stale = store.rfps.find({DIGEST: {"$ne": None}, f"{DIGEST}.ceiling": {"$exists": False}}, {"_id": 1})
    ids = [str(doc["_id"]) async for doc in stale]
    for rfp_id in ids:
        await refresh_ranking_digest(store, rfp_id, datetime.now(UTC))
    return len(ids)


class DigestRefresher:
    """Refreshes RFPs' ranking fences in the background, one task per RFP at a time.

    A write whose transaction found the fences due schedules a refresh and returns: nobody waits for
    it (readers treat fences as a hint), and a burst of writes to one RFP costs one or two scans.

    It also keeps the instance's turns at writing an RFP (`writing`): proposal writes take them, and
    so does a refresh's write, which would otherwise meet a submission's transaction on the RFP
    document and make it retry."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.running: dict[str, asyncio.Task[None]] = {}
        self.dirty: set[str] = set()
        self._turns: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def writing(self, rfp_id: str) -> asyncio.Lock:
        """This instance's turn at writing the RFP: one write at a time. Writes from other instances
        still conflict and retry, which keeps them correct (the turns are only about waiting less)."""
        lock = self._turns.get(rfp_id)
        if lock is None:
            lock = self._turns[rfp_id] = asyncio.Lock()
        return lock

    def schedule(self, rfp_id: str) -> None:
        if rfp_id in self.running:
            self.dirty.add(rfp_id)  # the running task goes round once more
            return
        self.running[rfp_id] = asyncio.create_task(self._refresh(rfp_id))

    async def _refresh(self, rfp_id: str) -> None:
        scheduled_at = time.monotonic()  # for the lag metric (api/observability/metrics.py)
        try:
            while True:
                self.dirty.discard(rfp_id)
                await refresh_fences(self.store, rfp_id, self.clock(), self.writing(rfp_id))
                observe_digest_refresh(scheduled_at, ok=True)
                if rfp_id not in self.dirty:
                    return
        except Exception:  # a cache refresh must never take a request down; the next write retries
            observe_digest_refresh(scheduled_at, ok=False)
            log.exception("refreshing the ranking fences of RFP %s failed", rfp_id)
        finally:
            self.running.pop(rfp_id, None)

    async def close(self) -> None:
        await asyncio.gather(*self.running.values(), return_exceptions=True)
