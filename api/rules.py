"""The ground every marketplace rule stands on: the clock, transactions, audit events, and who may
see which RFP and proposal. The use cases themselves live in organizations.py, rfps.py, proposals.py
and ranking.py, and meet in market.MarketService.

Each write is one document update, or one transaction where several documents must change together,
and appends its audit event in the same write. Business problems come back as `Outcome` errors;
nothing here raises HTTP errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from api import cursors
from api.store import Document, Store, parse_object_id, proposal_record, rfp_record
from schema.records import (
    ErrorCode,
    InputError,
    OrganizationKind,
    OrganizationRecord,
    Outcome,
    Page,
    ProposalRecord,
    ProposalStatus,
    RfpRecord,
    RfpStatus,
)

if TYPE_CHECKING:
    from api.ranking import DigestRefresher

T = TypeVar("T")

REVISABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.SHORTLISTED.value)


def utcnow() -> datetime:
    # MongoDB keeps milliseconds: truncate, so what a write returns equals what a later read returns.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def forbidden(kind: OrganizationKind) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.FORBIDDEN, f"only a {kind.value.lower()} organization may do this")


def not_found(field: tuple[str, ...], what: str) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.NOT_FOUND, f"{what} not found", field)


def audit_event(at: datetime, actor_id: str | None, action: str, fields: Sequence[str] = ()) -> Document:
    """One AuditEvent, appended in the same write as the change it records."""
    return {
        "at": at,
        "actorId": ObjectId(actor_id) if actor_id else None,
        "action": action,
        "changedFields": list(fields),
    }


class MarketBase:
    store: Store
    clock: Callable[[], datetime]
    digests: DigestRefresher

    def now(self) -> datetime:
        return self.clock()

    def _event(self, actor: OrganizationRecord | None, action: str, fields: Sequence[str] = ()) -> Document:
        return audit_event(self.now(), actor.id if actor else None, action, fields)

    async def _in_transaction(self, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        async with self.store.client.start_session() as session:
            result: T = await session.with_transaction(work)
            return result

    async def load_rfps(self, ids: Sequence[str]) -> list[RfpRecord | None]:
        oids = [oid for oid in map(parse_object_id, ids) if oid is not None]
        now = self.now()
        found = {
            str(doc["_id"]): rfp_record(doc, now)
            async for doc in self.store.rfps.find({"_id": {"$in": oids}})
        }
        return [found.get(key) for key in ids]

    # ------------------------------------------------------------------------------ visibility

    def _sees_rfp(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        if viewer is None:
            return False
        return viewer.id == rfp.buyer_id or rfp.status is not RfpStatus.DRAFT

    def _owns(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        return viewer is not None and viewer.id == rfp.buyer_id

    def sees_proposals_of(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        # Sealed bids: the buyer sees only the count until the deadline.
        return self._owns(viewer, rfp) and rfp.is_unsealed(self.now())

    def can_see_budget(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        """The budget and everything computed from it (full scores): its buyer, or whoever sees the
        RFP once the buyer disclosed the budget. Everyone else gets scores through budget_blind."""
        return self._owns(viewer, rfp) or (rfp.budget_disclosed and self._sees_rfp(viewer, rfp))

    def can_see_score(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> bool:
        if viewer is None:
            return False
        return viewer.id == proposal.vendor_id or self.sees_proposals_of(viewer, rfp)

    async def _rfp_doc(self, rfp_id: str) -> Document | None:
        oid = parse_object_id(rfp_id)
        return await self.store.rfps.find_one({"_id": oid}) if oid else None

    async def get_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> RfpRecord | None:
        doc = await self._rfp_doc(rfp_id)
        if doc is None:
            return None
        rfp = rfp_record(doc, self.now())
        return rfp if self._sees_rfp(viewer, rfp) else None

    async def _owned_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> RfpRecord | None:
        rfp = await self.get_rfp(viewer, rfp_id)
        return rfp if rfp is not None and self._owns(viewer, rfp) else None

    async def _readable_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> ObjectId | None:
        """The proposal's id when the viewer may read it, else None.

        Whatever the answer, the same two small reads run (who bid, then who bought and whether it is
        sealed: for an unknown id, by an id no RFP has), both projected to a few fields, so a
        competitor's real id and a made-up one cost the same work and the same bytes: response times
        tell nobody which proposals exist. Only a readable proposal is then read in full.
        """
        oid = parse_object_id(proposal_id)
        if viewer is None or oid is None:
            return None
        doc = await self.store.proposals.find_one({"_id": oid}, {"rfpId": 1, "vendorId": 1})
        rfp_doc = await self.store.rfps.find_one(
            {"_id": doc["rfpId"] if doc else oid}, {"buyerId": 1, "sealed": 1, "submissionDeadline": 1}
        )
        if doc is None or rfp_doc is None:
            return None
        if str(doc["vendorId"]) != viewer.id:
            # sees_proposals_of, on the raw fields: the buyer, once the bids are unsealed.
            unsealed = not rfp_doc["sealed"] or self.now() >= rfp_doc["submissionDeadline"]
            if str(rfp_doc["buyerId"]) != viewer.id or not unsealed:
                return None
        return oid

    async def _proposal_and_rfp(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        """A proposal the viewer may read, with its RFP; else (None, None)."""
        proposal = await self.get_proposal(viewer, proposal_id)
        if proposal is None:
            return None, None
        rfp_doc = await self._rfp_doc(proposal.rfp_id)
        return (proposal, rfp_record(rfp_doc, self.now())) if rfp_doc else (None, None)

    async def get_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> ProposalRecord | None:
        readable = await self._readable_proposal(viewer, proposal_id)
        doc = await self.store.proposals.find_one({"_id": readable}) if readable else None
        return proposal_record(doc) if doc else None

    async def _buyer_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        proposal, rfp = await self._proposal_and_rfp(viewer, proposal_id)
        if proposal is None or rfp is None or not self.sees_proposals_of(viewer, rfp):
            return None, None
        return proposal, rfp

    async def _vendor_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        proposal, rfp = await self._proposal_and_rfp(viewer, proposal_id)
        if proposal is None or viewer is None or proposal.vendor_id != viewer.id:
            return None, None
        return proposal, rfp

    async def _id_page(
        self,
        collection: AsyncCollection[Document],
        query: Document,
        first: int,
        after: str | None,
        kind: str,
        record: Callable[[Document], T],
    ) -> Page[T]:
        """A keyset page in `_id` order: RFPs newest first, an RFP's proposals oldest first."""
        newest_first = kind == "rfp"
        page_query = dict(query)
        if after is not None:
            (last_id,) = cursors.decode(after, kind, 1)
            last = parse_object_id(str(last_id))
            if last is None:
                raise InputError("after", "the cursor is not valid for this list")
            page_query["_id"] = {"$lt" if newest_first else "$gt": last}
        found = collection.find(page_query).sort("_id", -1 if newest_first else 1)
        docs = await found.limit(first + 1).to_list(first + 1)
        total = await collection.count_documents(query)
        return Page(
            items=tuple((cursors.encode(kind, str(doc["_id"])), record(doc)) for doc in docs[:first]),
            has_next_page=len(docs) > first,
            has_previous_page=after is not None,
            total_count=total,
        )
