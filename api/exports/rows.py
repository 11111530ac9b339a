"""The rows of an export, in rank order, streamed from MongoDB: the one source every format reads.

Two passes keep memory flat whatever the number of proposals:
1. the plan: one cursor over the RFP's live proposals reads only what decides the order (ids, statuses,
   costs; with what-if weights also the criteria) and keeps about 100 bytes a proposal;
2. the rows: full documents and vendor names fetched 500 at a time (`$in`), in the plan's order, and
   dropped as soon as they are written.

The order and the ranks are exactly those of GraphQL `rankedProposals`: the stored order is RANK_SORT
over the `ranking` index, the what-if order is `scoring.ranking_sort_key` over `scoring.reweigh`d
scores, and both add the ranking-time ABNORMALLY_LOW_PRICE finding. A shortlist keeps the ranks of the
full ranking, so its numbers match what the buyer sees in the ranking (1, 4, 7, not 1, 2, 3).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from bson import ObjectId

import scoring
from api.exports.low_prices import abnormally_low
from api.market import LIVE_PROPOSAL, RANK_SORT
from api.store import Document, Store
from schema.common import to_global_id
from schema.records import ProposalStatus, RfpRecord
from scoring.model import Finding, ProposalScore, Weights

BATCH_SIZE = 500
COST_FIELD = "score.normalized_monthly_cost.amount"
ROW_FIELDS = {"vendorId": 1, "status": 1, "submittedAt": 1, "score": 1}
SHORTLISTED = frozenset({ProposalStatus.SHORTLISTED.value, ProposalStatus.AWARDED.value})

Progress = Callable[[int], None]


def _no_progress(count: int) -> None:
    pass


class ExportKind(str, Enum):
    RANKING = "ranking"
    SHORTLIST = "shortlist"

    def includes(self, status: str) -> bool:
        return self is ExportKind.RANKING or status in SHORTLISTED


@dataclass(frozen=True)
class ExportRow:
    rank: int
    proposal_id: str  # GraphQL global id
    vendor_id: str  # GraphQL global id
    vendor: str
    status: ProposalStatus
    submitted_at: datetime
    score: ProposalScore


@dataclass(frozen=True)
class RankingPlan:
    """(rank in the full ranking, proposal id) in rank order, for the proposals the export includes."""

    kind: ExportKind
    entries: list[tuple[int, ObjectId]]
    low_prices: dict[str, Finding]
    weights: Weights | None  # what-if weights, None for the stored ranking
    ranked: int  # proposals in the full ranking


def live_query(rfp: RfpRecord) -> Document:
    """The proposals GraphQL ranks: not withdrawn, and scored."""
    return {"rfpId": ObjectId(rfp.id), "status": LIVE_PROPOSAL, "score": {"$ne": None}}


async def stored_plan(store: Store, rfp: RfpRecord, kind: ExportKind) -> RankingPlan:
    cursor = store.proposals.find(
        live_query(rfp), projection={"status": 1, COST_FIELD: 1}, sort=RANK_SORT, batch_size=BATCH_SIZE
    )
    entries: list[tuple[int, ObjectId]] = []
    costs: dict[str, Any] = {}
    rank = 0
    async for doc in cursor:
        rank += 1
        costs[str(doc["_id"])] = doc["score"]["normalized_monthly_cost"]["amount"]
        if kind.includes(doc["status"]):
            entries.append((rank, doc["_id"]))
    return RankingPlan(kind, entries, abnormally_low(costs), weights=None, ranked=rank)


async def what_if_plan(store: Store, rfp: RfpRecord, kind: ExportKind, weights: Weights) -> RankingPlan:
    cursor = store.proposals.find(
        live_query(rfp), projection={"status": 1, "submittedAt": 1, "score": 1}, batch_size=BATCH_SIZE
    )
    keyed: list[tuple[tuple[bool, float, datetime, str], ObjectId, str]] = []
    costs: dict[str, Any] = {}
    async for doc in cursor:
        key = str(doc["_id"])
        score = scoring.reweigh(ProposalScore.model_validate(doc["score"]), weights)
        costs[key] = score.normalized_monthly_cost.amount
        keyed.append((scoring.ranking_sort_key(score, doc["submittedAt"], key), doc["_id"], doc["status"]))
    keyed.sort(key=lambda item: item[0])
    entries = [(rank, oid) for rank, (_, oid, status) in enumerate(keyed, 1) if kind.includes(status)]
    return RankingPlan(kind, entries, abnormally_low(costs), weights=weights, ranked=len(keyed))


async def ranking_plan(
    store: Store, rfp: RfpRecord, kind: ExportKind, weights: Weights | None
) -> RankingPlan:
    if weights is None:
        return await stored_plan(store, rfp, kind)
    return await what_if_plan(store, rfp, kind, weights)


class RowSource:
    """The rows of one export; iterate `rows()` as often as a format needs (OCDS reads them twice)."""

    def __init__(self, store: Store, rfp: RfpRecord, plan: RankingPlan) -> None:
        self.store = store
        self.rfp = rfp
        self.plan = plan

    def __len__(self) -> int:
        return len(self.plan.entries)

    @property
    def weights(self) -> Weights:
        """The weights the ranking's totals use: the what-if ones, else the RFP's."""
        return self.plan.weights or self.rfp.context.weights

    async def rows(self, progress: Progress = _no_progress) -> AsyncIterator[ExportRow]:
        entries = self.plan.entries
        for start in range(0, len(entries), BATCH_SIZE):
            batch = entries[start : start + BATCH_SIZE]
            docs = await self._documents(oid for _, oid in batch)
            vendors = await vendor_names(self.store, {doc["vendorId"] for doc in docs.values()})
            for rank, oid in batch:
                doc = docs.get(oid)
                # Withdrawn after the plan was read: GraphQL would no longer rank it either.
                if doc is not None:
                    yield self._row(rank, doc, vendors)
            progress(len(batch))

    async def _documents(self, ids: Iterable[ObjectId]) -> dict[ObjectId, Document]:
        cursor = self.store.proposals.find(
            {"_id": {"$in": list(ids)}, "status": LIVE_PROPOSAL}, projection=ROW_FIELDS, batch_size=BATCH_SIZE
        )
        return {doc["_id"]: doc async for doc in cursor}

    def _row(self, rank: int, doc: Document, vendors: dict[ObjectId, str]) -> ExportRow:
        proposal_id = str(doc["_id"])
        return ExportRow(
            rank=rank,
            proposal_id=to_global_id("Proposal", proposal_id),
            vendor_id=to_global_id("Organization", str(doc["vendorId"])),
            vendor=vendors.get(doc["vendorId"], ""),
            status=ProposalStatus(doc["status"]),
            submitted_at=doc["submittedAt"],
            score=self._score(proposal_id, doc["score"]),
        )

    def _score(self, proposal_id: str, stored: Document) -> ProposalScore:
        score = ProposalScore.model_validate(stored)
        if self.plan.weights is not None:
            score = scoring.reweigh(score, self.plan.weights)
        low_price = self.plan.low_prices.get(proposal_id)
        if low_price is not None:
            score = score.model_copy(update={"findings": (*score.findings, low_price)})
        return score


async def vendor_names(store: Store, ids: set[ObjectId]) -> dict[ObjectId, str]:
    cursor = store.organizations.find({"_id": {"$in": list(ids)}}, projection={"name": 1})
    return {doc["_id"]: doc["name"] async for doc in cursor}
