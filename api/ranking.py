"""The ranking of an RFP's live proposals.

Each live proposal has a small entry in `rankings` (ids, status, ranking key, gates, criterion values,
normalized cost, scoring version), written in the same transaction as the proposal itself. A ranked
page reads those entries through the index on the ranking key with a keyset cursor, then the
page's proposals by id: small documents, a bounded number of operations, and no request rescoring
anything. What-if weights and rank stability read the entries too, never the full proposals.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import struct
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

import scoring
from api import cursors
from api.inputs import validate
from api.observability.metrics import observe_digest_refresh
from api.rules import MarketBase
from api.store import Document, Store, proposal_record, ranking_digest_of
from schema.records import (
    InputError,
    OrganizationRecord,
    Page,
    ProposalRecord,
    RankedItem,
    RankedPage,
    RfpRecord,
)
from scoring.model import Finding, ProposalScore, Weights
from scoring.rank import ABNORMALLY_LOW_MIN_PROPOSALS, CRITERIA, SortKey, weight_vector

log = logging.getLogger("rfpmarket.ranking")

# One string orders an RFP's proposals as scoring.ranking_sort_key does: eligible first, then
# requirements met, then the higher total, then the criteria in weight order, then the earlier
# submission, then the id. A single indexed field makes a page one range scan (`key > cursor`) on
# any MongoDB-wire server, and the key is the cursor.
RANK_SORT = [("key", 1)]
ENTRY_FIELDS = {
    "_id": 1,
    "key": 1,
    "eligible": 1,
    "meets": 1,
    "total": 1,
    "submittedAt": 1,
    "values": 1,
    "cost": 1,
}
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
    eligible = "0" if score.eligible else "1"
    met = "0" if score.meets_requirements else "1"
    values = scoring.criterion_values(score)
    weights = [c.weight for c in sorted(score.components, key=lambda c: CRITERIA.index(c.criterion))]
    criteria = "".join(_descending(values[i]) for i in scoring.criteria_in_weight_order(weights))
    millis = int(submitted_at.timestamp() * 1000)
    return f"{rfp_id}{eligible}{met}{_descending(score.total)}{criteria}{millis:013d}{proposal_id}"


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


def rank_range(rfp_id: ObjectId | str, after: str | None = None, through: str | None = None) -> Document:
    """The filter for an RFP's entries, optionally strictly after a key and up to one, to read in
    RANK_SORT order."""
    prefix = str(rfp_id)
    lower = {"$gt": after} if after else {"$gte": prefix}
    # "~" sorts after the 0 or 1 that every key of the RFP continues with.
    upper = {"$lte": through} if through else {"$lt": prefix + "~"}
    return {"key": lower | upper}


def scored_fields(
    rfp_id: ObjectId, proposal_id: ObjectId, submitted_at: datetime, score: ProposalScore
) -> Document:
    """What an entry keeps of a score: the ranking key, the criteria and the cost."""
    return {
        "key": rank_key(rfp_id, proposal_id, submitted_at, score),
        "eligible": 1 if score.eligible else 0,
        "meets": 1 if score.meets_requirements else 0,
        "version": score.scoring_version,
        "total": score.total,
        "values": list(scoring.criterion_values(score)),
        "cost": score.normalized_monthly_cost.amount,
    }


def ranking_entry(proposal: Document, score: ProposalScore) -> Document:
    """The entry of a stored proposal document (one that has its `_id`) with its score."""
    return {
        "_id": proposal["_id"],
        "rfpId": proposal["rfpId"],
        "vendorId": proposal["vendorId"],
        "status": proposal["status"],
        "submittedAt": proposal["submittedAt"],
        **scored_fields(proposal["rfpId"], proposal["_id"], proposal["submittedAt"], score),
    }


def _with_finding(score: ProposalScore, finding: Finding | None) -> ProposalScore:
    if finding is None:
        return score
    return score.model_copy(update={"findings": (*score.findings, finding)})


class RankingRules(MarketBase):
    async def ranked_proposals(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        first: int,
        after: str | None,
        weights: dict[str, Any] | None,
    ) -> RankedPage:
        if not self.sees_proposals_of(viewer, rfp):
            return RankedPage(page=Page.empty(), rfp=rfp)
        if weights is None:
            return await self._ranked_stored(rfp, first, after)
        what_if, errors = validate(Weights, weights, ("weights",))
        if what_if is None:
            raise InputError("weights", "; ".join(f"{'.'.join(e.field or ())}: {e.message}" for e in errors))
        return await self._ranked_what_if(rfp, first, after, what_if)

    async def _ranked_stored(self, rfp: RfpRecord, first: int, after: str | None) -> RankedPage:
        rfp = await self.digests.settle(rfp)
        start_rank, last_key = 1, None
        if after is not None:
            rank, last_key = cursors.decode(after, "rank", 2)
            if not isinstance(last_key, str) or not last_key.startswith(rfp.id):
                raise InputError("after", "the cursor is not valid for this list")
            start_rank = cursors.rank_in(rank) + 1
        entries = await self._entry_page(rfp, start_rank, last_key, first)
        window = entries[:first]
        proposals = await self._proposals(entry["_id"] for entry in window)
        low_price = self._low_price(rfp)
        items = []
        for offset, entry in enumerate(window):
            rank = start_rank + offset
            cursor = cursors.encode("rank", rank, entry["key"])
            proposal = proposals[str(entry["_id"])]
            assert proposal.score is not None, "every ranked proposal has a score"
            flag = low_price(entry["cost"])
            items.append((cursor, RankedItem(rank, proposal, _with_finding(proposal.score, flag))))
        page = Page(
            items=tuple(items),
            has_next_page=len(entries) > first,
            has_previous_page=after is not None,
            total_count=rfp.proposal_count,
        )
        return RankedPage(page=page, rfp=rfp)

    async def _entry_page(
        self, rfp: RfpRecord, start_rank: int, after: str | None, first: int
    ) -> list[Document]:
        """The `first + 1` entries after `after`, read up to a fence when one lies far enough ahead;
        if the fences were stale and the bounded range came up short, read again without one."""
        fences = rfp.ranking_digest.fences if rfp.ranking_digest else ()
        # Fence i is the key at rank (i + 1) * FENCE_SPACING: take one at least first + 1 ranks ahead.
        index = (start_rank + first - 1) // FENCE_SPACING
        bound = fences[index] if index < len(fences) else None
        entries = await self._entries_in(rank_range(rfp.id, after, bound), first + 1)
        if bound is not None and len(entries) <= first:
            entries = await self._entries_in(rank_range(rfp.id, after), first + 1)
        return entries

    async def _entries_in(self, query: Document, limit: int) -> list[Document]:
        return await self.store.rankings.find(query, ENTRY_FIELDS).sort(RANK_SORT).limit(limit).to_list(limit)

    async def _proposals(self, ids: Iterable[ObjectId]) -> dict[str, ProposalRecord]:
        docs = self.store.proposals.find({"_id": {"$in": list(ids)}})
        return {str(doc["_id"]): proposal_record(doc) async for doc in docs}

    def _low_price(self, rfp: RfpRecord) -> Callable[[Decimal], Finding | None]:
        """cost -> its ABNORMALLY_LOW_PRICE finding or None, from the references cached on the RFP."""
        digest = rfp.ranking_digest
        if digest is None or digest.count < ABNORMALLY_LOW_MIN_PROPOSALS:
            return lambda cost: None
        references = digest.low_price_references()
        return lambda cost: scoring.low_price_finding(cost, *references[cost]) if cost in references else None

    async def _entries(self, rfp_id: str, session: AsyncClientSession | None = None) -> list[Document]:
        """Every live entry of the RFP, in the default ranking order."""
        cursor = self.store.rankings.find(rank_range(rfp_id), ENTRY_FIELDS, session=session)
        return await cursor.sort(RANK_SORT).to_list(None)

    async def _ranked_what_if(
        self, rfp: RfpRecord, first: int, after: str | None, weights: Weights
    ) -> RankedPage:
        # What-if weights re-rank the entries in memory (criteria are stored; nothing is rescored).
        entries = await self._entries(rfp.id)
        entries.sort(key=lambda entry: entry_order(entry, weights))
        start = 0
        if after is not None:
            (position,) = cursors.decode(after, "whatif", 1)
            start = cursors.rank_in(position)
        window = entries[start : start + first]
        proposals = await self._proposals(entry["_id"] for entry in window)
        low = scoring.abnormally_low({str(entry["_id"]): entry["cost"] for entry in entries})
        items = []
        for rank, entry in enumerate(window, start + 1):
            proposal = proposals[str(entry["_id"])]
            assert proposal.score is not None
            score = _with_finding(scoring.reweigh(proposal.score, weights), low.get(proposal.id))
            items.append((cursors.encode("whatif", rank), RankedItem(rank, proposal, score)))
        page = Page(
            items=tuple(items),
            has_next_page=start + first < len(entries),
            has_previous_page=start > 0,
            total_count=len(entries),
        )
        return RankedPage(page=page, rfp=rfp, weights_override=weights)

    async def rank_stability(self, rfp: RfpRecord, weights: Weights | None) -> float | None:
        weights = weights or rfp.context.weights
        entries = await self._entries(rfp.id)
        entries.sort(key=lambda entry: entry_order(entry, weights))
        values = [(entry["values"][0], entry["values"][1], entry["values"][2]) for entry in entries]
        gates = [scoring.gate_of(bool(entry.get("eligible", 0)), bool(entry["meets"])) for entry in entries]
        return scoring.rank_stability_of(values, gates, weights)


async def refresh_ranking_digest(store: Store, rfp_id: str, now: datetime) -> None:
    """Recompute the RFP's RankingDigest from one projected scan of its entries.

    Called after (not inside) every write that changes the live set or a cost, so submissions stay
    short transactions that do not queue behind each other. The digest is a cache: a refresh that
    started earlier never overwrites one that started later, and a page never trusts its fences
    further than the range it actually reads (see _ranked_stored)."""
    entries = await store.rankings.find(rank_range(rfp_id), {"cost": 1, "key": 1, "_id": 0}).to_list(None)
    keys = sorted(entry["key"] for entry in entries)
    costs = [entry["cost"] for entry in entries]
    low = []
    if len(costs) >= ABNORMALLY_LOW_MIN_PROPOSALS:
        # Only the flagged costs are kept: a page looks its entries' costs up, nothing else.
        for cost, (mean, following) in scoring.low_price_references(costs).items():
            if scoring.low_price_finding(cost, mean, following) is not None:
                low.append([cost, mean, following])
    digest = {"at": now, "count": len(costs), "low": low, "fences": keys[FENCE_SPACING - 1 :: FENCE_SPACING]}
    await store.rfps.update_one(
        {"_id": ObjectId(rfp_id), "rankingDigest.at": {"$not": {"$gt": now}}},
        {"$set": {"rankingDigest": digest}},
    )


class DigestRefresher:
    """Refreshes RFPs' ranking digests in the background, one task per RFP at a time.

    A write schedules a refresh and returns: a burst of submissions to a large RFP then costs one or
    two scans instead of one each, and none of them waits for it. Readers that need the digest
    (ranked pages, exports) `settle` first, so this instance always reads its own writes."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.running: dict[str, asyncio.Task[None]] = {}
        self.dirty: set[str] = set()

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
                await refresh_ranking_digest(self.store, rfp_id, self.clock())
                observe_digest_refresh(scheduled_at, ok=True)
                if rfp_id not in self.dirty:
                    return
        except Exception:  # a cache refresh must never take a request down; the next write retries
            observe_digest_refresh(scheduled_at, ok=False)
            log.exception("refreshing the ranking digest of RFP %s failed", rfp_id)
        finally:
            self.running.pop(rfp_id, None)

    async def settle(self, rfp: RfpRecord) -> RfpRecord:
        """The RFP with a digest that includes every write this instance has made."""
        task = self.running.get(rfp.id)
        if task is None:
            return rfp
        await asyncio.shield(task)
        doc = await self.store.rfps.find_one({"_id": ObjectId(rfp.id)}, {"rankingDigest": 1})
        return dataclasses.replace(rfp, ranking_digest=ranking_digest_of((doc or {}).get("rankingDigest")))

    async def close(self) -> None:
        await asyncio.gather(*self.running.values(), return_exceptions=True)
