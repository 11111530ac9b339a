"""The `rankings` collection: one small entry per live proposal, and the RFP's ranking digest.

The entry's `key` is an *encoding* of the ranking order that scoring defines once
(`scoring.ranking_sort_key`): comparing two keys as strings orders two proposals exactly as comparing
their sort keys does (tests/api/store/test_rank_key.py proves it as a property). One indexed string
makes a ranked page a single range scan whatever the server, and the key is the page cursor.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import struct
import time
from collections.abc import Callable
from datetime import datetime

from bson import ObjectId

import scoring
from api.observability.metrics import observe_digest_refresh
from api.store.database import Store
from api.store.document import Document
from api.store.rfps import ranking_digest_of
from market.records import RfpRecord
from scoring.model import ProposalScore, Weights
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
