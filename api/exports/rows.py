"""The rows of an export, in rank order, streamed from MongoDB: the one source every format reads.

Two passes keep memory flat whatever the number of proposals:
1. the plan: one cursor over the RFP's `rankings` entries (the small per-proposal documents GraphQL
   ranks from, see api/ranking.py) keeps the rank and id of each proposal the export includes;
2. the rows: full proposals and vendor names fetched 500 at a time (`$in`), in the plan's order, and
   dropped as soon as they are written.

The order and the ranks are exactly those of GraphQL `rankedProposals`: the stored order is RANK_SORT
over the `ranking` index, the what-if order the same key with `scoring.total_under` the what-if
weights, and both add the ranking-time ABNORMALLY_LOW_PRICE finding from the RFP's cached
low-price references.
A shortlist keeps the ranks of the full ranking, so its numbers match what the buyer sees in the
ranking (1, 4, 7 rather than 1, 2, 3).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from bson import ObjectId

import scoring
from api.services.ranked_reader import (
    Consensus,
    joined_order,
    low_price_rule,
    score_under,
    what_if_order,
    with_low_price,
)
from api.store.database import Store
from api.store.document import Document
from api.store.proposals import CONFIRM_FIELDS, SCORE_FIELDS
from api.store.rankings import SLOT_DOC, live_entry, rank_range, rank_sort
from market.records import RfpRecord
from market.vocabulary import ProposalStatus
from schema.common import to_global_id
from scoring.model import ProposalScore, Weights
from scoring.qualitative import JoinedTotal

BATCH_SIZE = 500
ROW_FIELDS = {
    "vendorId": 1,
    "status": 1,
    "submittedAt": 1,
    **dict.fromkeys(SCORE_FIELDS, 1),
    **dict.fromkeys(CONFIRM_FIELDS, 1),
}


def _is_live(status: str) -> bool:
    return status != ProposalStatus.WITHDRAWN.value


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
    needs_confirmation: bool = False  # an addendum awaits the vendor's confirmation: flagged, kept
    # With qualitative criteria (issue 17): the overall total, whether every consensus is recorded,
    # and the consensus per criterion in the RFP's order (None where not yet recorded).
    overall_total: float | None = None
    evaluation_complete: bool | None = None
    consensus: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class RankingPlan:
    """(rank in the full ranking, proposal id) in rank order, for the proposals the export includes."""

    kind: ExportKind
    entries: list[tuple[int, ObjectId]]
    weights: Weights | None  # what-if weights, None for the stored ranking
    ranked: int  # proposals in the full ranking
    joined: Mapping[ObjectId, JoinedTotal] = field(default_factory=dict)  # with qualitative criteria
    consensus: Consensus = field(default_factory=dict)


async def stored_plan(store: Store, rfp: RfpRecord, kind: ExportKind) -> RankingPlan:
    # The ranking key's range, read in its own order: one index range scan, no sort.
    field = rfp.rank_field
    query = rank_range(rfp.id, field=field)
    cursor = store.rankings.find(query, {"status": 1}, sort=rank_sort(field), batch_size=BATCH_SIZE)
    entries: list[tuple[int, ObjectId]] = []
    rank = 0
    async for entry in cursor:
        rank += 1
        if kind.includes(entry["status"]):
            entries.append((rank, entry["_id"]))
    return RankingPlan(kind, entries, weights=None, ranked=rank)


async def what_if_plan(store: Store, rfp: RfpRecord, kind: ExportKind, weights: Weights) -> RankingPlan:
    fields = {"status": 1, "eligible": 1, "meets": 1, "values": 1, "submittedAt": 1, SLOT_DOC: 1}
    cursor = store.rankings.find(rank_range(rfp.id, field=rfp.rank_field), fields, batch_size=BATCH_SIZE)
    # The order rankedProposals(weights:) gives, from the same reader.
    ordered = what_if_order([live_entry(entry, rfp.score_slot) async for entry in cursor], weights)
    included = enumerate(ordered, 1)
    entries = [(rank, entry["_id"]) for rank, entry in included if kind.includes(entry["status"])]
    return RankingPlan(kind, entries, weights=weights, ranked=len(ordered))


async def rfp_consensus(store: Store, rfp: RfpRecord) -> dict[tuple[str, str], float]:
    """The RFP's consensus scores, (proposal id, criterion id) -> score (the by_rfp index)."""
    found = store.consensus.find({"rfpId": ObjectId(rfp.id)}, {"proposalId": 1, "criterionId": 1, "score": 1})
    return {(str(doc["proposalId"]), str(doc["criterionId"])): doc["score"] async for doc in found}


async def joined_plan(store: Store, rfp: RfpRecord, kind: ExportKind, weights: Weights | None) -> RankingPlan:
    """An RFP with qualitative criteria: the order rankedProposals gives, by the overall total."""
    fields = {"status": 1, "eligible": 1, "meets": 1, "values": 1, "submittedAt": 1, SLOT_DOC: 1}
    cursor = store.rankings.find(rank_range(rfp.id), fields, batch_size=BATCH_SIZE)
    consensus = await rfp_consensus(store, rfp)
    live = [live_entry(entry, rfp.score_slot) async for entry in cursor]
    ordered = joined_order(live, weights or rfp.context.weights, rfp, consensus)
    entries = [
        (rank, entry["_id"]) for rank, (entry, _) in enumerate(ordered, 1) if kind.includes(entry["status"])
    ]
    joined = {entry["_id"]: total for entry, total in ordered}
    return RankingPlan(kind, entries, weights, len(ordered), joined, consensus)


async def ranking_plan(
    store: Store, rfp: RfpRecord, kind: ExportKind, weights: Weights | None
) -> RankingPlan:
    if rfp.qualitative_criteria:
        return await joined_plan(store, rfp, kind, weights)
    if weights is None:
        return await stored_plan(store, rfp, kind)
    return await what_if_plan(store, rfp, kind, weights)


class RowSource:
    """The rows of one export; iterate `rows()` as often as a format needs (OCDS reads them twice)."""

    def __init__(self, store: Store, rfp: RfpRecord, plan: RankingPlan) -> None:
        self.store = store
        self.rfp = rfp
        self.plan = plan
        self.low_price = low_price_rule(rfp)

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
                # Popped, so each decoded document is freed as soon as its row is made.
                doc = docs.pop(oid, None)
                # None: withdrawn after the plan was read; GraphQL would no longer rank it either.
                if doc is not None:
                    yield self._row(rank, doc, vendors)
            # Released before the next batch is fetched, so two batches never live at once.
            del docs, vendors
            progress(len(batch))

    async def _documents(self, ids: Iterable[ObjectId]) -> dict[ObjectId, Document]:
        # By id alone: a status beside `_id: {$in}` planned as a collection scan, and a hint makes
        # SecantusDB walk the whole index; the few withdrawn ones are dropped here instead.
        cursor = self.store.proposals.find(
            {"_id": {"$in": list(ids)}}, projection=ROW_FIELDS, batch_size=BATCH_SIZE
        )
        return {doc["_id"]: doc async for doc in cursor if _is_live(doc["status"])}

    def _row(self, rank: int, doc: Document, vendors: dict[ObjectId, str]) -> ExportRow:
        proposal_id = str(doc["_id"])
        return ExportRow(
            rank=rank,
            proposal_id=to_global_id("Proposal", proposal_id),
            vendor_id=to_global_id("Organization", str(doc["vendorId"])),
            vendor=vendors.get(doc["vendorId"], ""),
            status=ProposalStatus(doc["status"]),
            submitted_at=doc["submittedAt"],
            # The RFP's live score slot (an addendum's rescoring fills the other one).
            score=self._score(doc[SCORE_FIELDS[self.rfp.score_slot]]),
            needs_confirmation=doc.get(CONFIRM_FIELDS[self.rfp.score_slot], False),
            **self._qualitative(doc["_id"]),
        )

    def _qualitative(self, oid: ObjectId) -> dict[str, Any]:
        joined = self.plan.joined.get(oid)
        if joined is None:
            return {}
        consensus = tuple(self.plan.consensus.get((str(oid), c.id)) for c in self.rfp.qualitative_criteria)
        return {"overall_total": joined.total, "evaluation_complete": joined.complete, "consensus": consensus}

    def _score(self, stored: Document) -> ProposalScore:
        score = ProposalScore.model_validate(stored)
        if self.plan.weights is not None:
            score = scoring.reweigh(score, self.plan.weights)
        else:
            score = score_under(score, self.rfp)
        score = with_low_price(score, self.low_price(score.normalized_monthly_cost.amount))
        return score


async def vendor_names(store: Store, ids: set[ObjectId]) -> dict[ObjectId, str]:
    cursor = store.organizations.find({"_id": {"$in": list(ids)}}, projection={"name": 1})
    return {doc["_id"]: doc["name"] async for doc in cursor}


@dataclass(frozen=True)
class EvaluationRow:
    """One evaluator's score, for the XLSX sheet of evaluator scores and justifications."""

    proposal_id: str  # GraphQL global id
    criterion: str
    evaluator: str
    score: float
    justification: str
    at: datetime


async def evaluation_rows(store: Store, rfp: RfpRecord) -> list[EvaluationRow]:
    """Every evaluator score of the RFP (the by_rfp index), by proposal, criterion and evaluator."""
    if not rfp.qualitative_criteria:
        return []
    criteria = {c.id: c.name for c in rfp.qualitative_criteria}
    buyer = await store.organizations.find_one({"_id": ObjectId(rfp.buyer_id)}, {"members": 1})
    names = {str(m["id"]): m["name"] for m in (buyer or {}).get("members", [])}
    found = store.evaluations.find({"rfpId": ObjectId(rfp.id)})
    rows = [
        EvaluationRow(
            proposal_id=to_global_id("Proposal", str(doc["proposalId"])),
            criterion=criteria.get(str(doc["criterionId"]), ""),
            evaluator=names.get(str(doc["memberId"]), ""),
            score=doc["score"],
            justification=doc["justification"],
            at=doc["at"],
        )
        async for doc in found
    ]
    return sorted(rows, key=lambda row: (row.proposal_id, row.criterion, row.evaluator))
