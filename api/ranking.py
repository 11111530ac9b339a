"""The ranking of an RFP's live proposals.

Each live proposal has a small entry in `rankings` (ids, status, ranking key, criterion values,
normalized cost), written in the same transaction as the proposal itself. A ranked page reads those
entries through the index on (rfpId, meets, total, submittedAt, _id) with a keyset cursor, then the
page's proposals by id: small documents, a bounded number of operations, and no request rescoring
anything. What-if weights and rank stability read the entries too, never the full proposals.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

import scoring
from api import cursors
from api.inputs import validate
from api.store import Document, Store, proposal_record
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
from scoring.rank import ABNORMALLY_LOW_MIN_PROPOSALS

# One string orders an RFP's proposals as scoring.ranking_sort_key does: requirements met first,
# then the higher total, then the earlier submission, then the id. A single indexed field makes a
# page one range scan (`key > cursor`) on any MongoDB-wire server, and the key is the cursor.
RANK_SORT = [("key", 1)]
ENTRY_FIELDS = {"_id": 1, "key": 1, "meets": 1, "total": 1, "submittedAt": 1, "values": 1, "cost": 1}
MAX_BITS = 0xFFFF_FFFF_FFFF_FFFF


def rank_key(rfp_id: ObjectId, proposal_id: ObjectId, submitted_at: datetime, score: ProposalScore) -> str:
    # A non-negative float's IEEE 754 bits order like its value, so inverted bits order totals
    # exactly from high to low, float tails included.
    bits = struct.unpack(">Q", struct.pack(">d", score.total))[0]
    met = "0" if score.meets_requirements else "1"
    millis = int(submitted_at.timestamp() * 1000)
    return f"{rfp_id}{met}{MAX_BITS - bits:016x}{millis:013d}{proposal_id}"


def rank_range(rfp_id: ObjectId | str, after: str | None = None) -> Document:
    """The filter for an RFP's entries (optionally strictly after a key), to read in RANK_SORT."""
    prefix = str(rfp_id)
    lower = {"$gt": after} if after else {"$gte": prefix}
    return {"key": {**lower, "$lt": prefix + "~"}}  # "~" sorts after the 0 or 1 every key continues with


def scored_fields(
    rfp_id: ObjectId, proposal_id: ObjectId, submitted_at: datetime, score: ProposalScore
) -> Document:
    """What an entry keeps of a score: the ranking key, the criteria and the cost."""
    return {
        "key": rank_key(rfp_id, proposal_id, submitted_at, score),
        "meets": 1 if score.meets_requirements else 0,
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


def _empty(rfp: RfpRecord) -> RankedPage:
    return RankedPage(
        page=Page(items=(), has_next_page=False, has_previous_page=False, total_count=0), rfp=rfp
    )


class RankingRules:
    store: Store

    def sees_proposals_of(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        raise NotImplementedError

    async def ranked_proposals(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        first: int,
        after: str | None,
        weights: dict[str, Any] | None,
    ) -> RankedPage:
        if not self.sees_proposals_of(viewer, rfp):
            return _empty(rfp)
        if weights is None:
            return await self._ranked_stored(rfp, first, after)
        what_if, errors = validate(Weights, weights, ("weights",))
        if what_if is None:
            raise InputError("weights", "; ".join(f"{'.'.join(e.field or ())}: {e.message}" for e in errors))
        return await self._ranked_what_if(rfp, first, after, what_if)

    async def _ranked_stored(self, rfp: RfpRecord, first: int, after: str | None) -> RankedPage:
        start_rank, last_key = 1, None
        if after is not None:
            rank, last_key = cursors.decode(after, "rank", 2)
            if not isinstance(last_key, str) or not last_key.startswith(rfp.id):
                raise InputError("after", "the cursor is not valid for this list")
            start_rank = cursors.rank_in(rank) + 1
        found = self.store.rankings.find(rank_range(rfp.id, last_key), ENTRY_FIELDS)
        entries = await found.sort(RANK_SORT).limit(first + 1).to_list(first + 1)
        window = entries[:first]
        proposals = await self._proposals(entry["_id"] for entry in window)
        median = self._median_of_others(rfp)
        items = []
        for offset, entry in enumerate(window):
            rank = start_rank + offset
            cursor = cursors.encode("rank", rank, entry["key"])
            proposal = proposals[str(entry["_id"])]
            assert proposal.score is not None, "every ranked proposal has a score"
            flag = scoring.low_price_finding(entry["cost"], median(entry["cost"])) if median else None
            items.append((cursor, RankedItem(rank, proposal, _with_finding(proposal.score, flag))))
        page = Page(
            items=tuple(items),
            has_next_page=len(entries) > first,
            has_previous_page=after is not None,
            total_count=rfp.proposal_count,
        )
        return RankedPage(page=page, rfp=rfp)

    async def _proposals(self, ids: Iterable[ObjectId]) -> dict[str, ProposalRecord]:
        docs = self.store.proposals.find({"_id": {"$in": list(ids)}})
        return {str(doc["_id"]): proposal_record(doc) async for doc in docs}

    def _median_of_others(self, rfp: RfpRecord) -> Callable[[Decimal], Decimal] | None:
        """cost -> the median of the other live costs, from the window cached on the RFP."""
        window = rfp.cost_window
        if window is None or window.count < ABNORMALLY_LOW_MIN_PROPOSALS:
            return None
        return lambda cost: scoring.median_of_others(window.values, window.start, window.count, cost)

    async def _entries(self, rfp_id: str, session: AsyncClientSession | None = None) -> list[Document]:
        """Every live entry of the RFP, in the default ranking order."""
        cursor = self.store.rankings.find(rank_range(rfp_id), ENTRY_FIELDS, session=session)
        return await cursor.sort(RANK_SORT).to_list(None)

    async def _ranked_what_if(
        self, rfp: RfpRecord, first: int, after: str | None, weights: Weights
    ) -> RankedPage:
        # What-if weights re-rank the entries in memory (criteria are stored; nothing is rescored).
        entries = await self._entries(rfp.id)
        totals = {entry["_id"]: scoring.total_under(tuple(entry["values"]), weights) for entry in entries}
        entries.sort(key=lambda e: (-e["meets"], -totals[e["_id"]], e["submittedAt"], str(e["_id"])))
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
        totals = {entry["_id"]: scoring.total_under(tuple(entry["values"]), weights) for entry in entries}
        entries.sort(key=lambda e: (-e["meets"], -totals[e["_id"]], e["submittedAt"], str(e["_id"])))
        values = [(entry["values"][0], entry["values"][1], entry["values"][2]) for entry in entries]
        return scoring.rank_stability_of(values, [bool(entry["meets"]) for entry in entries], weights)


async def refresh_cost_window(store: Store, rfp_id: str, session: AsyncClientSession | None = None) -> None:
    """Recompute the slice of sorted live costs that ABNORMALLY_LOW_PRICE needs and cache it on
    the RFP; called in the same transaction as every write that changes a live cost."""
    count = await store.rankings.count_documents({"rfpId": ObjectId(rfp_id)}, session=session)
    start, length = scoring.median_window(count)
    values: Sequence[Decimal] = []
    if length > 0:
        cursor = store.rankings.find({"rfpId": ObjectId(rfp_id)}, {"cost": 1}, session=session)
        docs = await cursor.sort([("cost", 1), ("_id", 1)]).skip(start).limit(length).to_list(length)
        values = [doc["cost"] for doc in docs]
    await store.rfps.update_one(
        {"_id": ObjectId(rfp_id)},
        {"$set": {"costWindow": {"count": count, "start": start, "values": list(values)}}},
        session=session,
    )
