"""The marketplace rules: every use case and every visibility decision.

Each write is one document update, or one transaction where several documents must change together,
and appends its audit event in the same write. Business problems come back as `Outcome` errors;
nothing here raises HTTP errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

import scoring
from api import cursors
from api.inputs import RfpDraft, changed_fields, validate
from api.organizations import DEFAULT_REGISTER_LIMIT, OrganizationRules, RateLimit
from api.ranking import DigestRefresher, RankingRules, ranking_entry, scored_fields
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
from scoring.model import ProposalScore, ProposalTerms, Weights

T = TypeVar("T")

REVISABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.SHORTLISTED.value)


def utcnow() -> datetime:
    # MongoDB keeps milliseconds: truncate, so what a write returns equals what a later read returns.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _forbidden(kind: OrganizationKind) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.FORBIDDEN, f"only a {kind.value.lower()} organization may do this")


def _not_found(field: tuple[str, ...], what: str) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.NOT_FOUND, f"{what} not found", field)


def new_proposal_document(
    rfp_id: str, vendor_id: str, terms: ProposalTerms, score: ProposalScore, now: datetime
) -> Document:
    """A submitted proposal as stored: terms, the score snapshot, its ranking key, the first event."""
    return {
        "rfpId": ObjectId(rfp_id),
        "vendorId": ObjectId(vendor_id),
        "status": ProposalStatus.SUBMITTED.value,
        "version": 1,
        "submittedAt": now,
        "updatedAt": now,
        "terms": terms.model_dump(mode="python"),
        "score": score.model_dump(mode="python"),
        "audit": [audit_event(now, vendor_id, "submitted")],
    }


def audit_event(at: datetime, actor_id: str | None, action: str, fields: Sequence[str] = ()) -> Document:
    """One AuditEvent, appended in the same write as the change it records."""
    return {
        "at": at,
        "actorId": ObjectId(actor_id) if actor_id else None,
        "action": action,
        "changedFields": list(fields),
    }


class MarketService(OrganizationRules, RankingRules):
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime] = utcnow,
        register_limit: RateLimit = DEFAULT_REGISTER_LIMIT,
    ) -> None:
        self.store = store
        self.clock = clock
        self.register_limit = register_limit
        self.digests = DigestRefresher(store, clock)

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

    # ------------------------------------------------------------------------------ RFP visibility

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
        return self._owns(viewer, rfp)

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

    # ------------------------------------------------------------------------------ RFP lifecycle

    async def create_rfp(self, viewer: OrganizationRecord | None, data: dict[str, Any]) -> Outcome[RfpRecord]:
        if viewer is None or viewer.kind is not OrganizationKind.BUYER:
            return _forbidden(OrganizationKind.BUYER)
        draft, errors = validate(RfpDraft, data, ("input",))
        if draft is None:
            return Outcome(errors=errors)
        now = self.now()
        if draft.submission_deadline <= now:
            return Outcome.fail(
                ErrorCode.INVALID, "the deadline must be in the future", ("input", "submissionDeadline")
            )
        doc: Document = {
            "buyerId": ObjectId(viewer.id),
            "title": draft.title,
            "scope": draft.scope,
            "category": draft.category.value,
            "status": RfpStatus.DRAFT.value,
            "sealed": draft.sealed,
            "submissionDeadline": draft.submission_deadline.astimezone(UTC),
            "createdAt": now,
            "updatedAt": now,
            "context": draft.context().model_dump(mode="python"),
            "proposalCount": 0,
            "audit": [self._event(viewer, "created")],
        }
        result = await self.store.rfps.insert_one(doc)
        doc["_id"] = result.inserted_id
        return Outcome(rfp_record(doc, now))

    async def _transition(
        self,
        viewer: OrganizationRecord | None,
        rfp_id: str,
        allowed: Sequence[RfpStatus],
        target: RfpStatus,
        action: str,
    ) -> Outcome[RfpRecord]:
        rfp = await self._owned_rfp(viewer, rfp_id)
        if rfp is None:
            return _not_found(("input", "rfpId"), "RFP")
        if rfp.status not in allowed:
            return Outcome.fail(
                ErrorCode.INVALID_STATE,
                f"cannot {action.removesuffix('ed')} an RFP that is {rfp.status.value}",
            )
        now = self.now()
        # The filter repeats the state check, so a concurrent transition cannot be overwritten.
        state_filter: Document = {"_id": ObjectId(rfp.id), "status": {"$in": [s.value for s in allowed]}}
        if RfpStatus.OPEN in allowed and RfpStatus.CLOSED not in allowed:
            state_filter["submissionDeadline"] = {"$gt": now}
        doc = await self.store.rfps.find_one_and_update(
            state_filter,
            {
                "$set": {"status": target.value, "updatedAt": now},
                "$push": {"audit": self._event(viewer, action, ["status"])},
            },
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return Outcome.fail(ErrorCode.INVALID_STATE, "the RFP changed state meanwhile; reload it")
        return Outcome(rfp_record(doc, now))

    async def publish_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        rfp = await self._owned_rfp(viewer, rfp_id)
        if rfp is not None and rfp.status is RfpStatus.DRAFT and rfp.submission_deadline <= self.now():
            return Outcome.fail(
                ErrorCode.DEADLINE_PASSED, "the submission deadline has passed; create a new RFP"
            )
        return await self._transition(viewer, rfp_id, [RfpStatus.DRAFT], RfpStatus.OPEN, "published")

    async def close_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        return await self._transition(viewer, rfp_id, [RfpStatus.OPEN], RfpStatus.CLOSED, "closed")

    async def cancel_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        allowed = [RfpStatus.DRAFT, RfpStatus.OPEN, RfpStatus.CLOSED]
        return await self._transition(viewer, rfp_id, allowed, RfpStatus.CANCELLED, "cancelled")

    async def update_rfp_weights(
        self, viewer: OrganizationRecord | None, rfp_id: str, weights: dict[str, Any]
    ) -> Outcome[RfpRecord]:
        rfp = await self._owned_rfp(viewer, rfp_id)
        if rfp is None:
            return _not_found(("input", "rfpId"), "RFP")
        new_weights, errors = validate(Weights, weights, ("input", "weights"))
        if new_weights is None:
            return Outcome(errors=errors)
        if rfp.status in (RfpStatus.AWARDED, RfpStatus.CANCELLED):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        fields = [f"weights.{name}" for name in changed_fields(rfp.context.weights, new_weights)]
        now = self.now()

        async def work(session: AsyncClientSession) -> Document | None:
            doc = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(rfp.id)},
                {
                    "$set": {"context.weights": new_weights.model_dump(), "updatedAt": now},
                    "$push": {"audit": self._event(viewer, "weightsUpdated", fields)},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            await self._reweigh_all(rfp.id, new_weights, session)
            return doc

        doc = await self._in_transaction(work)
        if doc is None:
            return _not_found(("input", "rfpId"), "RFP")
        self.digests.schedule(rfp.id)  # new totals, new ranking keys: the fences move too
        return Outcome(rfp_record(doc, now))

    async def _reweigh_all(self, rfp_id: str, weights: Weights, session: AsyncClientSession) -> None:
        """New totals for every proposal of the RFP in one bulk write per collection; criteria are
        not recomputed."""
        writes, totals = [], []
        async for doc in self.store.proposals.find(
            {"rfpId": ObjectId(rfp_id), "score": {"$ne": None}},
            projection={"score": 1, "submittedAt": 1},
            session=session,
        ):
            score = scoring.reweigh(ProposalScore.model_validate(doc["score"]), weights)
            writes.append(
                UpdateOne({"_id": doc["_id"]}, {"$set": {"score": score.model_dump(mode="python")}})
            )
            ranked = scored_fields(ObjectId(rfp_id), doc["_id"], doc["submittedAt"], score)
            totals.append(UpdateOne({"_id": doc["_id"]}, {"$set": ranked}))
        if writes:
            await self.store.proposals.bulk_write(writes, ordered=False, session=session)
            await self.store.rankings.bulk_write(totals, ordered=False, session=session)

    async def award_proposal(self, viewer: OrganizationRecord | None, proposal_id: str) -> Outcome[RfpRecord]:
        proposal, rfp = await self._buyer_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return _not_found(("input", "proposalId"), "proposal")
        if rfp.status is not RfpStatus.CLOSED:
            return Outcome.fail(
                ErrorCode.INVALID_STATE, f"only a CLOSED RFP can be awarded; it is {rfp.status.value}"
            )
        if proposal.status.value not in REVISABLE:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the proposal is {proposal.status.value}")
        now = self.now()
        rfp_oid, proposal_oid = ObjectId(rfp.id), ObjectId(proposal.id)

        async def work(session: AsyncClientSession) -> Document | None:
            doc = await self.store.rfps.find_one_and_update(
                {"_id": rfp_oid, "status": {"$in": [RfpStatus.OPEN.value, RfpStatus.CLOSED.value]}},
                {
                    "$set": {"status": RfpStatus.AWARDED.value, "updatedAt": now},
                    "$push": {"audit": self._event(viewer, "awarded", ["status"])},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                return None
            await self.store.proposals.update_one(
                {"_id": proposal_oid},
                {
                    "$set": {"status": ProposalStatus.AWARDED.value, "updatedAt": now},
                    "$push": {"audit": self._event(viewer, "awarded", ["status"])},
                },
                session=session,
            )
            await self.store.proposals.update_many(
                {"rfpId": rfp_oid, "_id": {"$ne": proposal_oid}, "status": {"$in": list(REVISABLE)}},
                {
                    "$set": {"status": ProposalStatus.REJECTED.value, "updatedAt": now},
                    "$push": {"audit": self._event(viewer, "rejected", ["status"])},
                },
                session=session,
            )
            # Ranking entries exist for live proposals only: the winner's, then every other one.
            await self.store.rankings.update_one(
                {"_id": proposal_oid}, {"$set": {"status": ProposalStatus.AWARDED.value}}, session=session
            )
            await self.store.rankings.update_many(
                {"rfpId": rfp_oid, "_id": {"$ne": proposal_oid}},
                {"$set": {"status": ProposalStatus.REJECTED.value}},
                session=session,
            )
            return doc

        doc = await self._in_transaction(work)
        if doc is None:
            return Outcome.fail(ErrorCode.INVALID_STATE, "the RFP changed state meanwhile; reload it")
        return Outcome(rfp_record(doc, now))

    # ------------------------------------------------------------------------------ proposals

    async def _proposal_doc(self, proposal_id: str) -> Document | None:
        oid = parse_object_id(proposal_id)
        return await self.store.proposals.find_one({"_id": oid}) if oid else None

    async def get_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> ProposalRecord | None:
        if viewer is None:
            return None
        doc = await self._proposal_doc(proposal_id)
        if doc is None:
            return None
        proposal = proposal_record(doc)
        if viewer.id == proposal.vendor_id:
            return proposal
        rfp_doc = await self.store.rfps.find_one({"_id": doc["rfpId"]})
        if rfp_doc is None or not self.sees_proposals_of(viewer, rfp_record(rfp_doc, self.now())):
            return None
        return proposal

    async def _buyer_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        proposal = await self.get_proposal(viewer, proposal_id)
        if proposal is None:
            return None, None
        rfp = await self.get_rfp(viewer, proposal.rfp_id)
        if rfp is None or not self.sees_proposals_of(viewer, rfp):
            return None, None
        return proposal, rfp

    async def _vendor_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        proposal = await self.get_proposal(viewer, proposal_id)
        if proposal is None or viewer is None or proposal.vendor_id != viewer.id:
            return None, None
        doc = await self._rfp_doc(proposal.rfp_id)
        return proposal, rfp_record(doc, self.now()) if doc else None

    def _scored(
        self, data: dict[str, Any], rfp: RfpRecord, prefix: tuple[str, ...]
    ) -> Outcome[tuple[ProposalTerms, ProposalScore]]:
        terms, errors = validate(ProposalTerms, data, prefix)
        if terms is None:
            return Outcome(errors=errors)
        if terms.pricing.model == "outcomeBased" and rfp.context.expected_outcomes_per_month is None:
            # Without the buyer's expected outcomes such a bid would look as cheap as its base fee.
            return Outcome.fail(
                ErrorCode.INVALID,
                "this RFP states no expectedOutcomesPerMonth, so outcome-based pricing cannot be compared",
                (*prefix, "pricing", "outcomeBased"),
            )
        try:
            return Outcome((terms, scoring.score(terms, rfp.context)))
        except scoring.CurrencyMismatch as mismatch:  # no silent FX: refused, naming the amount
            return Outcome.fail(ErrorCode.CURRENCY_MISMATCH, str(mismatch), (*prefix, *mismatch.path))

    def _check_open(self, rfp: RfpRecord, stored_status: str) -> Outcome[Any] | None:
        if stored_status == RfpStatus.OPEN.value and rfp.status is RfpStatus.CLOSED:
            return Outcome.fail(ErrorCode.DEADLINE_PASSED, "the submission deadline has passed")
        if rfp.status is not RfpStatus.OPEN:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}, not OPEN")
        return None

    async def submit_proposal(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: dict[str, Any]
    ) -> Outcome[ProposalRecord]:
        if viewer is None or viewer.kind is not OrganizationKind.VENDOR:
            return _forbidden(OrganizationKind.VENDOR)
        doc = await self._rfp_doc(rfp_id)
        rfp = rfp_record(doc, self.now()) if doc else None
        if doc is None or rfp is None or not self._sees_rfp(viewer, rfp):
            return _not_found(("input", "rfpId"), "RFP")
        closed = self._check_open(rfp, doc["status"])
        if closed:
            return closed
        scored = self._scored(data, rfp, ("input", "proposal"))
        if scored.value is None:
            return Outcome(errors=scored.errors)
        terms, score = scored.value
        now = self.now()
        proposal_doc = new_proposal_document(rfp.id, viewer.id, terms, score, now)

        async def work(session: AsyncClientSession) -> bool:
            # Counting on the RFP with a state filter makes "still open" and "insert" one decision.
            counted = await self.store.rfps.update_one(
                {"_id": ObjectId(rfp.id), "status": RfpStatus.OPEN.value, "submissionDeadline": {"$gt": now}},
                {"$inc": {"proposalCount": 1}},
                session=session,
            )
            if counted.matched_count == 0:
                return False
            await self.store.proposals.insert_one(proposal_doc, session=session)
            await self.store.rankings.insert_one(ranking_entry(proposal_doc, score), session=session)
            return True

        try:
            inserted = await self._in_transaction(work)
        except DuplicateKeyError:
            return Outcome.fail(
                ErrorCode.ALREADY_SUBMITTED,
                "you already submitted to this RFP; revise that proposal",
                ("input", "rfpId"),
            )
        if not inserted:
            return Outcome.fail(ErrorCode.INVALID_STATE, "the RFP closed meanwhile")
        self.digests.schedule(rfp.id)
        return Outcome(proposal_record(proposal_doc))

    async def revise_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str, expected_version: int, data: dict[str, Any]
    ) -> Outcome[ProposalRecord]:
        proposal, rfp = await self._vendor_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return _not_found(("input", "proposalId"), "proposal")
        doc = await self._rfp_doc(rfp.id)
        closed = self._check_open(rfp, doc["status"] if doc else "")
        if closed:
            return closed
        if proposal.status.value not in REVISABLE:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the proposal is {proposal.status.value}")
        scored = self._scored(data, rfp, ("input", "proposal"))
        if scored.value is None:
            return Outcome(errors=scored.errors)
        terms, score = scored.value
        now = self.now()
        revision = {
            "$set": {
                "terms": terms.model_dump(mode="python"),
                "score": score.model_dump(mode="python"),
                "updatedAt": now,
            },
            "$inc": {"version": 1},
            "$push": {"audit": self._event(viewer, "revised", changed_fields(proposal.terms, terms))},
        }

        async def work(session: AsyncClientSession) -> Document | None:
            # The version in the filter is the optimistic lock: of concurrent revisions with the same
            # expectedVersion exactly one matches, the others get CONFLICT; none is lost silently.
            doc = await self.store.proposals.find_one_and_update(
                {
                    "_id": ObjectId(proposal.id),
                    "version": expected_version,
                    "status": {"$in": list(REVISABLE)},
                },
                revision,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is not None:
                await self.store.rankings.update_one(
                    {"_id": doc["_id"]},
                    {"$set": scored_fields(doc["rfpId"], doc["_id"], doc["submittedAt"], score)},
                    session=session,
                )
            return doc

        updated = await self._in_transaction(work)
        if updated is None:
            return Outcome.fail(
                ErrorCode.CONFLICT,
                f"expectedVersion {expected_version} is stale; reload the proposal and revise again",
                ("input", "expectedVersion"),
            )
        self.digests.schedule(rfp.id)
        return Outcome(proposal_record(updated))

    async def withdraw_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]:
        proposal, rfp = await self._vendor_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return _not_found(("input", "proposalId"), "proposal")
        if rfp.status in (RfpStatus.AWARDED, RfpStatus.CANCELLED):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        return await self._set_proposal_status(viewer, proposal, ProposalStatus.WITHDRAWN, "withdrawn")

    async def shortlist_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]:
        proposal, rfp = await self._buyer_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return _not_found(("input", "proposalId"), "proposal")
        if rfp.status in (RfpStatus.AWARDED, RfpStatus.CANCELLED, RfpStatus.DRAFT):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        if proposal.status is not ProposalStatus.SUBMITTED:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the proposal is {proposal.status.value}")
        return await self._set_proposal_status(viewer, proposal, ProposalStatus.SHORTLISTED, "shortlisted")

    async def _set_proposal_status(
        self,
        actor: OrganizationRecord | None,
        proposal: ProposalRecord,
        target: ProposalStatus,
        action: str,
    ) -> Outcome[ProposalRecord]:
        now = self.now()

        async def work(session: AsyncClientSession) -> Document | None:
            doc = await self.store.proposals.find_one_and_update(
                {"_id": ObjectId(proposal.id), "status": {"$in": list(REVISABLE)}},
                {
                    "$set": {"status": target.value, "updatedAt": now},
                    "$push": {"audit": self._event(actor, action, ["status"])},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                return None
            if target is ProposalStatus.WITHDRAWN:
                # A withdrawn proposal leaves the ranking and the count.
                await self.store.rankings.delete_one({"_id": doc["_id"]}, session=session)
                await self.store.rfps.update_one(
                    {"_id": ObjectId(proposal.rfp_id)}, {"$inc": {"proposalCount": -1}}, session=session
                )
            else:
                await self.store.rankings.update_one(
                    {"_id": doc["_id"]}, {"$set": {"status": target.value}}, session=session
                )
            return doc

        doc = await self._in_transaction(work)
        if doc is None:
            return Outcome.fail(ErrorCode.INVALID_STATE, "the proposal changed state meanwhile; reload it")
        if target is ProposalStatus.WITHDRAWN:
            self.digests.schedule(proposal.rfp_id)
        return Outcome(proposal_record(doc))

    # ------------------------------------------------------------------------------ lists

    async def list_rfps(
        self, viewer: OrganizationRecord | None, first: int, after: str | None, status: RfpStatus | None
    ) -> Page[RfpRecord]:
        if viewer is None:
            return Page.empty()
        now = self.now()
        query: Document
        if viewer.kind is OrganizationKind.VENDOR:
            # Vendors browse the market: what is open for bids now.
            if status not in (None, RfpStatus.OPEN):
                return Page.empty()
            query = {"status": RfpStatus.OPEN.value, "submissionDeadline": {"$gt": now}}
        else:
            query = {"buyerId": ObjectId(viewer.id)}
            if status is RfpStatus.OPEN:
                query.update(status=RfpStatus.OPEN.value, submissionDeadline={"$gt": now})
            elif status is RfpStatus.CLOSED:
                query["$or"] = [
                    {"status": RfpStatus.CLOSED.value},
                    {"status": RfpStatus.OPEN.value, "submissionDeadline": {"$lte": now}},
                ]
            elif status is not None:
                query["status"] = status.value
        return await self._id_page(
            self.store.rfps, query, first, after, "rfp", lambda doc: rfp_record(doc, now)
        )

    async def list_proposals(
        self, viewer: OrganizationRecord | None, rfp: RfpRecord, first: int, after: str | None
    ) -> Page[ProposalRecord]:
        if viewer is None:
            return Page.empty()
        query: Document = {"rfpId": ObjectId(rfp.id)}
        if viewer.id != rfp.buyer_id:
            query["vendorId"] = ObjectId(viewer.id)  # a vendor sees only its own proposal
        elif not self.sees_proposals_of(viewer, rfp):
            return Page.empty()
        return await self._id_page(self.store.proposals, query, first, after, "proposal", proposal_record)

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

    async def visible_proposal_counts(
        self, viewer: OrganizationRecord | None, rfps: Sequence[RfpRecord | None]
    ) -> list[int]:
        """Per RFP: the buyer sees every live proposal counted; a vendor only its own (0 or 1), so
        it learns nothing of its competitors; anyone else 0. One query for a whole list of RFPs."""
        if viewer is None:
            return [0] * len(rfps)
        own: set[str] = set()
        if viewer.kind is OrganizationKind.VENDOR:
            ids = [ObjectId(rfp.id) for rfp in rfps if rfp is not None]
            found = self.store.rankings.find(
                {"rfpId": {"$in": ids}, "vendorId": ObjectId(viewer.id)}, {"rfpId": 1}
            )
            own = {str(doc["rfpId"]) async for doc in found}
        return [
            0 if rfp is None else rfp.proposal_count if rfp.buyer_id == viewer.id else int(rfp.id in own)
            for rfp in rfps
        ]

    async def score_preview(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: dict[str, Any]
    ) -> Outcome[ProposalScore]:
        rfp = await self.get_rfp(viewer, rfp_id)
        visible = rfp is not None and (
            self._owns(viewer, rfp)
            or (
                viewer is not None and viewer.kind is OrganizationKind.VENDOR and rfp.status is RfpStatus.OPEN
            )
        )
        if rfp is None or not visible:
            return _not_found(("rfpId",), "RFP")
        scored = self._scored(data, rfp, ("proposal",))
        if scored.value is None:
            return Outcome(errors=scored.errors)
        return Outcome(scored.value[1])
