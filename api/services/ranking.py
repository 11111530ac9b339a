"""The ranking of an RFP's live proposals.

Each live proposal has a small entry in `rankings` (ids, status, ranking key, gates, criterion values,
normalized cost, scoring version), written in the same transaction as the proposal itself. A ranked
page reads those entries through the index on the ranking key with a keyset cursor, then the
page's proposals by id: small documents, a bounded number of operations, and no request rescoring
anything. What-if weights and rank stability read the entries too, never the full proposals.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

import scoring
from api.services import cursors
from api.services.ground import MarketGround
from api.services.inputs import validate
from api.services.ranked_reader import (
    joined_candidates,
    joined_order,
    joined_weights,
    low_price_rule,
    score_under,
    what_if_order,
    with_low_price,
)
from api.services.what_if_cache import VECTOR_FIELDS, Order, RfpVector, WhatIfCache
from api.store.document import Document
from api.store.proposals import proposal_record
from api.store.rankings import (
    DIGEST,
    ENTRY_FIELDS,
    FENCE_SPACING,
    live_entry,
    rank_range,
    rank_sort,
)
from market.evaluation import what_if_rfp
from market.records import (
    OrganizationRecord,
    Page,
    ProposalRecord,
    RankedItem,
    RankedPage,
    RfpRecord,
    live_score,
)
from market.vocabulary import InputError
from scoring.model import Weights
from scoring.qualitative import JoinedTotal, joined_rank_stability

log = logging.getLogger("rfpmarket.ranking")
# A what-if cursor that was good once but no longer applies: the client restarts from page one.
STALE_CURSOR = "STALE_CURSOR"


class RankingService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store
        self.digests = ground.digests
        self.what_if = WhatIfCache()  # shared by this instance's requests

    async def ranked_proposals(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        first: int,
        after: str | None,
        weights: dict[str, Any] | None,
        qualitative_weights: Sequence[tuple[str, float]] | None = None,
    ) -> RankedPage:
        if not self.ground.sees_proposals_of(viewer, rfp):
            return RankedPage(page=Page.empty(), rfp=rfp)
        what_if = None
        if weights is not None:
            what_if, errors = validate(Weights, weights, ("weights",))
            if what_if is None:
                message = "; ".join(f"{'.'.join(e.field or ())}: {e.message}" for e in errors)
                raise InputError("weights", message)
        if qualitative_weights is not None:
            # The RFP as the what-if qualitative weights weigh it: everything below (order, totals,
            # cursors, rankStability through RankedPage.rfp) then reads those weights.
            rfp = what_if_rfp(rfp, what_if, qualitative_weights)
            what_if = what_if or rfp.context.weights
        if what_if is None and not rfp.qualitative_criteria:
            return await self._ranked_stored(rfp, first, after)
        return await self._ranked_what_if(
            rfp, first, after, what_if or rfp.context.weights, what_if is not None
        )

    async def _ranked_stored(self, rfp: RfpRecord, first: int, after: str | None) -> RankedPage:
        # No wait for a refresh: the RFP's cost figures are exact as read (every write keeps them).
        start_rank, last_key = 1, None
        if after is not None:
            rank, last_key = cursors.decode(after, "rank", 2)
            if not isinstance(last_key, str) or not last_key.startswith(rfp.id):
                raise InputError("after", "the cursor is not valid for this list")
            cursors.rank_in(rank)
            # The rank in the cursor was true when it was handed out; proposals submitted, revised or
            # withdrawn since move everything after them, so the page's ranks are counted now.
            through = rank_range(rfp.id, None, last_key, rfp.rank_field)
            start_rank = await self.store.rankings.count_documents(through) + 1
        entries = await self._entry_page(rfp, start_rank, last_key, first)
        window = entries[:first]
        proposals = await self._proposals(entry["_id"] for entry in window)
        low_price = low_price_rule(rfp)
        items = []
        for offset, entry in enumerate(window):
            rank = start_rank + offset
            cursor = cursors.encode("rank", rank, entry[rfp.rank_field])
            proposal = proposals[str(entry["_id"])]
            stored = live_score(proposal, rfp)
            assert stored is not None, "every ranked proposal has a score"
            flag = low_price(live_entry(entry, rfp.score_slot)["cost"])
            score = score_under(stored, rfp)  # the RFP's weights as this request read them
            items.append((cursor, RankedItem(rank, proposal, with_low_price(score, flag))))
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
        field = rfp.rank_field
        entries = await self._entries_in(rank_range(rfp.id, after, bound, field), field, first + 1)
        if bound is not None and len(entries) <= first:
            entries = await self._entries_in(rank_range(rfp.id, after, field=field), field, first + 1)
        return entries

    async def _entries_in(self, query: Document, field: str, limit: int) -> list[Document]:
        found = self.store.rankings.find(query, ENTRY_FIELDS).sort(rank_sort(field))
        return await found.limit(limit).to_list(limit)

    async def _proposals(self, ids: Iterable[ObjectId]) -> dict[str, ProposalRecord]:
        docs = self.store.proposals.find({"_id": {"$in": list(ids)}})
        return {str(doc["_id"]): proposal_record(doc) async for doc in docs}

    async def _entries(self, rfp: RfpRecord, session: AsyncClientSession | None = None) -> list[Document]:
        """Every live entry of the RFP, in the default ranking order."""
        field = rfp.rank_field
        cursor = self.store.rankings.find(rank_range(rfp.id, field=field), ENTRY_FIELDS, session=session)
        return [live_entry(entry, rfp.score_slot) async for entry in cursor.sort(rank_sort(field))]

    async def _ranked_what_if(
        self, rfp: RfpRecord, first: int, after: str | None, weights: Weights, override: bool = True
    ) -> RankedPage:
        # What-if weights re-rank the RFP's cached vector of criteria in memory (nothing is
        # rescored, and no request after the first reads every entry or orders them again); an RFP
        # with qualitative criteria ranks by the overall total (ranked_reader.joined_order).
        joined: dict[str, JoinedTotal] = {}
        if rfp.qualitative_criteria:
            ordered = joined_order(await self._entries(rfp), weights, rfp, await self.consensus(rfp))
            entries = [entry for entry, _ in ordered]
            joined = {str(entry["_id"]): total for entry, total in ordered}
        else:
            entries = self._what_if_order(await self._vector(rfp), weights)
        start = 0
        if after is not None:
            start = what_if_start(after, entries, what_if_digest(weights, rfp))
        window = entries[start : start + first]
        proposals = await self._proposals(entry["_id"] for entry in window)
        low = low_price_rule(rfp)  # the running figures: exact, and no list of every cost
        items = []
        for rank, entry in enumerate(window, start + 1):
            proposal = proposals[str(entry["_id"])]
            stored = live_score(proposal, rfp)
            assert stored is not None
            flag = low(stored.normalized_monthly_cost.amount)
            score = scoring.reweigh(stored, weights) if override else score_under(stored, rfp)
            score = with_low_price(score, flag)
            cursor = cursors.encode("whatif", rank, what_if_digest(weights, rfp), proposal.id)
            items.append((cursor, RankedItem(rank, proposal, score, joined.get(proposal.id))))
        page = Page(
            items=tuple(items),
            has_next_page=start + first < len(entries),
            has_previous_page=start > 0,
            total_count=len(entries),
        )
        return RankedPage(page=page, rfp=rfp, weights_override=weights if override else None)

    async def consensus(self, rfp: RfpRecord) -> dict[tuple[str, str], float]:
        """The RFP's consensus scores, (proposal id, criterion id) -> score (the by_rfp index)."""
        found = self.store.consensus.find(
            {"rfpId": ObjectId(rfp.id)}, {"proposalId": 1, "criterionId": 1, "score": 1}
        )
        return {(str(d["proposalId"]), str(d["criterionId"])): d["score"] async for d in found}

    async def rank_stability(self, rfp: RfpRecord, weights: Weights | None) -> float | None:
        weights = weights or rfp.context.weights
        if rfp.qualitative_criteria:  # the qualitative criteria are among the criteria drawn
            consensus = await self.consensus(rfp)
            ordered = joined_order(await self._entries(rfp), weights, rfp, consensus)
            candidates = joined_candidates((entry for entry, _ in ordered), rfp, consensus)
            return joined_rank_stability(candidates, joined_weights(weights, rfp))
        vector = await self._vector(rfp)
        digest = weights_digest(weights)
        if digest in vector.stability.items:
            return vector.stability.items[digest]
        entries = self._what_if_order(vector, weights)
        values = [(entry["values"][0], entry["values"][1], entry["values"][2]) for entry in entries]
        gates = [scoring.gate_of(bool(entry.get("eligible", 0)), bool(entry["meets"])) for entry in entries]
        return vector.stability.put(digest, scoring.rank_stability_of(values, gates, weights))

    async def _vector(self, rfp: RfpRecord) -> RfpVector:
        rfp_id, field, slot = ObjectId(rfp.id), rfp.rank_field, rfp.score_slot

        async def load_all() -> tuple[int, list[Document]]:
            version = await self._ranking_version(rfp_id)  # before the entries: never newer than them
            found = self.store.rankings.find(rank_range(rfp_id, field=field), VECTOR_FIELDS)
            return version, [live_entry(entry, slot) async for entry in found.sort(rank_sort(field))]

        async def load_changes(since: int) -> tuple[int, list[ObjectId], dict[ObjectId, Document]] | None:
            doc = await self.store.rfps.find_one(
                {"_id": rfp_id}, {f"{DIGEST}.version": 1, f"{DIGEST}.changes": 1}
            )
            digest = (doc or {}).get(DIGEST) or {}
            changed = changed_since(digest.get("version", -1), digest.get("changes", ()), since)
            if changed is None:
                return None
            ids = list(changed)
            found = self.store.rankings.find({"_id": {"$in": ids}, "rfpId": rfp_id}, VECTOR_FIELDS)
            return digest["version"], ids, {entry["_id"]: live_entry(entry, slot) async for entry in found}

        return await self.what_if.vector(rfp, load_all, load_changes)

    async def _ranking_version(self, rfp_id: ObjectId) -> int:
        doc = await self.store.rfps.find_one({"_id": rfp_id}, {f"{DIGEST}.version": 1})
        version = ((doc or {}).get(DIGEST) or {}).get("version", -1)
        return version if isinstance(version, int) else -1

    @staticmethod
    def _what_if_order(vector: RfpVector, weights: Weights) -> list[Document]:
        digest = weights_digest(weights)
        order = vector.orders.get(digest)
        if order is None:
            order = vector.orders.put(digest, Order(weights, what_if_order(vector.entries, weights)))
        return order.entries


def changed_since(version: object, changes: Iterable[Document], since: int) -> set[ObjectId] | None:
    """The ids of the entries changed by the versions after `since` up to `version`, from the RFP's
    change log; None when the log does not hold every one of them (too far behind, or a version
    that was not logged: a recompute restarts the log)."""
    if not isinstance(version, int) or version < since:
        return None
    logged = {change["v"]: change["ids"] for change in changes}
    wanted = range(since + 1, version + 1)
    if any(v not in logged for v in wanted):
        return None
    return {oid for v in wanted for oid in logged[v]}


def weights_digest(weights: Weights) -> str:
    """A short fingerprint of what-if weights: a what-if cursor is only good under the same weights."""
    canonical = json.dumps(weights.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def what_if_digest(weights: Weights, rfp: RfpRecord) -> str:
    """The fingerprint a what-if cursor carries: the computed weights and, on an RFP with
    qualitative criteria, theirs too (a cursor is bound to the whole weight set)."""
    if not rfp.qualitative_criteria:
        return weights_digest(weights)
    qualitative = [[c.id, c.weight] for c in rfp.qualitative_criteria]
    canonical = json.dumps([weights.model_dump(mode="json"), qualitative], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def what_if_start(after: str, entries: list[Document], digest: str) -> int:
    """Where the page after a what-if cursor starts in the current what-if order: just after the
    proposal the cursor ended on, wherever it ranks now. A cursor of other weights, or one whose
    proposal left the ranking, is STALE_CURSOR-refused: the client restarts from the first page."""
    position, cursor_digest, proposal_id = cursors.decode(after, "whatif", 3)
    cursors.rank_in(position)
    if cursor_digest != digest:
        raise InputError(
            "after", "the cursor was handed out under other weights: start from the first page", STALE_CURSOR
        )
    if 0 < position <= len(entries) and str(entries[position - 1]["_id"]) == proposal_id:
        return int(position)  # where it was: no search (the usual case, nothing was written since)
    for index, entry in enumerate(entries):
        if str(entry["_id"]) == proposal_id:
            return index + 1
    raise InputError(
        "after",
        "the ranking changed since this cursor was handed out: start from the first page",
        STALE_CURSOR,
    )
