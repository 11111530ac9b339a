"""The RFP lifecycle: create, publish, close, cancel, re-weigh, award; and the RFP lists."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

import scoring
from api.services.ground import REVISABLE, Aborted, MarketGround, changed_meanwhile, forbidden, not_found
from api.services.idempotency import IdempotencyKey
from api.services.idempotency import idempotency_key as idempotency_key_for
from api.services.inputs import RfpDraft, changed_fields, validate
from api.services.paging import SortKey, keyset_page
from api.store.document import Document
from api.store.rankings import scored_fields
from api.store.rfps import new_rfp_document, rfp_record
from market.lifecycle import FINAL_RFP_STATUSES, RFP_TRANSITIONS, rfp_is_final
from market.listing import OrderDirection, RfpFilterSpec, RfpListing, RfpOrderField
from market.records import OrganizationRecord, Page, RfpRecord
from market.vocabulary import ErrorCode, OrganizationKind, Outcome, ProposalStatus, RfpStatus
from scoring.model import ProposalScore, Weights

FINAL = [status.value for status in FINAL_RFP_STATUSES]  # as stored


class RfpService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store
        self.digests = ground.digests

    async def create_rfp(
        self, viewer: OrganizationRecord | None, data: dict[str, Any], idempotency_key: str | None = None
    ) -> Outcome[RfpRecord]:
        if viewer is None or viewer.kind is not OrganizationKind.BUYER:
            return forbidden(OrganizationKind.BUYER)
        made = idempotency_key_for(idempotency_key, f"organization:{viewer.id}", "createRfp", data)
        if made.errors:
            return Outcome(errors=made.errors)
        key = made.value

        async def replay(answer: Document) -> Outcome[RfpRecord]:
            doc = await self.store.rfps.find_one({"_id": answer["rfpId"]})
            return Outcome(rfp_record(doc, self.ground.now())) if doc else not_found(("input",), "RFP")

        async def run() -> Outcome[RfpRecord]:
            return await self._create_rfp(viewer, data, key)

        return await self.ground.idempotent(key, replay, run)

    async def _create_rfp(
        self, viewer: OrganizationRecord, data: dict[str, Any], key: IdempotencyKey | None
    ) -> Outcome[RfpRecord]:
        draft, errors = validate(RfpDraft, data, ("input",))
        if draft is None:
            return Outcome(errors=errors)
        now = self.ground.now()
        if draft.submission_deadline <= now:
            return Outcome.fail(
                ErrorCode.INVALID, "the deadline must be in the future", ("input", "submissionDeadline")
            )
        enquiry = draft.enquiry_deadline
        if enquiry is not None and not now < enquiry < draft.submission_deadline:
            # Questions close before bids do, so every answer reaches vendors in time to bid on it.
            return Outcome.fail(
                ErrorCode.INVALID,
                "the enquiry deadline must be in the future and before the submission deadline",
                ("input", "enquiryDeadline"),
            )
        doc = new_rfp_document(
            viewer.id,
            draft.title,
            draft.scope,
            draft.category,
            draft.sealed,
            draft.budget_disclosed,
            draft.submission_deadline,
            draft.context(),
            now,
            enquiry_deadline=enquiry,
        )

        async def work(session: AsyncClientSession) -> None:
            await self.ground.remember(session, key, {"rfpId": doc["_id"]})
            await self.store.rfps.insert_one(doc, session=session)
            await self.ground.audit(session, doc["_id"], viewer, "created")

        await self.ground.in_transaction(work)
        return Outcome(rfp_record(doc, now))

    async def _transition(
        self,
        viewer: OrganizationRecord | None,
        rfp_id: str,
        action: str,
    ) -> Outcome[RfpRecord]:
        allowed, target = RFP_TRANSITIONS[action]
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        if rfp.status not in allowed:
            return Outcome.fail(
                ErrorCode.INVALID_STATE,
                f"cannot {action.removesuffix('ed')} an RFP that is {rfp.status.value}",
            )
        now = self.ground.now()
        # The filter repeats the state check, so a concurrent transition cannot be overwritten.
        state_filter: Document = {"_id": ObjectId(rfp.id), "status": {"$in": [s.value for s in allowed]}}
        if RfpStatus.OPEN in allowed and RfpStatus.CLOSED not in allowed:
            state_filter["submissionDeadline"] = {"$gt": now}

        async def work(session: AsyncClientSession) -> Document:
            doc = await self.store.rfps.find_one_and_update(
                state_filter,
                {"$set": {"status": target.value, "updatedAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(changed_meanwhile("RFP"))
            await self.ground.audit(session, doc["_id"], viewer, action, ["status"])
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome(rfp_record(doc, now))

    async def publish_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is not None and rfp.status is RfpStatus.DRAFT and rfp.submission_deadline <= self.ground.now():
            return Outcome.fail(
                ErrorCode.DEADLINE_PASSED, "the submission deadline has passed; create a new RFP"
            )
        return await self._transition(viewer, rfp_id, "published")

    async def close_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        return await self._transition(viewer, rfp_id, "closed")

    async def cancel_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        return await self._transition(viewer, rfp_id, "cancelled")

    async def update_rfp_weights(
        self, viewer: OrganizationRecord | None, rfp_id: str, weights: dict[str, Any]
    ) -> Outcome[RfpRecord]:
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        new_weights, errors = validate(Weights, weights, ("input", "weights"))
        if new_weights is None:
            return Outcome(errors=errors)
        if rfp_is_final(rfp.status):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        fields = [f"weights.{name}" for name in changed_fields(rfp.context.weights, new_weights)]
        now = self.ground.now()

        async def work(session: AsyncClientSession) -> Document:
            # The state is re-checked by the write; submissions and revisions write this document
            # too, so they conflict with the re-weighting and one of them is retried: no total is
            # ever stored under weights that are no longer the RFP's.
            doc = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(rfp.id), "status": {"$nin": FINAL}},
                {"$set": {"context.weights": new_weights.model_dump(), "updatedAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(changed_meanwhile("RFP"))
            await self.ground.audit(session, doc["_id"], viewer, "weightsUpdated", fields)
            await self._reweigh_all(rfp.id, new_weights, session)
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
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
            # The RFP's proposals, not the marketplace's: `score` beside rfpId made it a full scan.
            hint="by_rfp",
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
        proposal, rfp = await self.ground.buyer_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        if rfp.status is not RfpStatus.CLOSED:
            return Outcome.fail(
                ErrorCode.INVALID_STATE, f"only a CLOSED RFP can be awarded; it is {rfp.status.value}"
            )
        if proposal.status.value not in REVISABLE:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the proposal is {proposal.status.value}")
        now = self.ground.now()
        rfp_oid, proposal_oid = ObjectId(rfp.id), ObjectId(proposal.id)
        # Effectively CLOSED: closed by the buyer, or OPEN past its deadline.
        closed: Document = {
            "_id": rfp_oid,
            "$or": [
                {"status": RfpStatus.CLOSED.value},
                {"status": RfpStatus.OPEN.value, "submissionDeadline": {"$lte": now}},
            ],
        }

        async def work(session: AsyncClientSession) -> Document:
            # Every precondition is re-checked by the writes themselves: a withdrawal or a state
            # change that committed after the checks above makes a write match nothing, and the
            # whole transaction is aborted (never an AWARDED-but-withdrawn winner).
            doc = await self.store.rfps.find_one_and_update(
                closed,
                {"$set": {"status": RfpStatus.AWARDED.value, "updatedAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(changed_meanwhile("RFP"))
            won = await self.store.proposals.update_one(
                {"_id": proposal_oid, "rfpId": rfp_oid, "status": {"$in": list(REVISABLE)}},
                {"$set": {"status": ProposalStatus.AWARDED.value, "updatedAt": now}},
                session=session,
            )
            if won.matched_count == 0:
                raise Aborted(
                    Outcome.fail(
                        ErrorCode.INVALID_STATE,
                        "the proposal was withdrawn or changed state meanwhile; reload it",
                        ("input", "proposalId"),
                    )
                )
            others = {"rfpId": rfp_oid, "_id": {"$ne": proposal_oid}, "status": {"$in": list(REVISABLE)}}
            rejected = await self.store.proposals.distinct("_id", others, session=session)
            await self.store.proposals.update_many(
                {"_id": {"$in": rejected}, "status": {"$in": list(REVISABLE)}},
                {"$set": {"status": ProposalStatus.REJECTED.value, "updatedAt": now}},
                session=session,
            )
            events = [self.ground.event(rfp_oid, viewer, "awarded", ["status"])]
            events.append(self.ground.event(proposal_oid, viewer, "awarded", ["status"]))
            events += [self.ground.event(oid, viewer, "rejected", ["status"]) for oid in rejected]
            await self.store.audit_events.insert_many(events, session=session)
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

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome(rfp_record(doc, now))

    async def find_rfps(
        self, viewer: OrganizationRecord | None, listing: RfpListing, status: RfpStatus | None = None
    ) -> Page[RfpRecord]:
        """`rfps(filter:, orderBy:)`: the RFPs the caller may list (a buyer its own, a vendor what is
        open for bids now), narrowed by the filter, in the asked order (default: newest first)."""
        if viewer is None:
            return Page.empty()
        now = self.ground.now()
        if listing.filter.statuses and status and status not in listing.filter.statuses:
            return Page.empty()  # the two status arguments exclude each other
        wanted = {status} if status else set(listing.filter.statuses)
        query: Document
        if viewer.kind is OrganizationKind.VENDOR:
            if wanted and RfpStatus.OPEN not in wanted:
                return Page.empty()
            query = {"status": RfpStatus.OPEN.value, "submissionDeadline": {"$gt": now}}
            hint = "by_status"
        else:
            query = {"buyerId": ObjectId(viewer.id)}
            hint = "by_buyer"
            if wanted:
                query["$or"] = [status_condition(each, now) for each in wanted]
                hint = "by_buyer_status"
        return await keyset_page(
            self.store.rfps,
            {"$and": [query, *filter_conditions(listing.filter)]},
            listing.window,
            "rfps",
            replace(
                SORT_KEYS[listing.order.field], descending=listing.order.direction is OrderDirection.DESC
            ),
            lambda doc: rfp_record(doc, now),
            hint,
        )


def status_condition(status: RfpStatus, now: datetime) -> Document:
    """The stored documents whose effective status is `status` (an OPEN RFP past its deadline is CLOSED)."""
    if status is RfpStatus.OPEN:
        return {"status": RfpStatus.OPEN.value, "submissionDeadline": {"$gt": now}}
    if status is RfpStatus.CLOSED:
        return {
            "$or": [
                {"status": RfpStatus.CLOSED.value},
                {"status": RfpStatus.OPEN.value, "submissionDeadline": {"$lte": now}},
            ]
        }
    return {"status": status.value}


def filter_conditions(spec: RfpFilterSpec) -> list[Document]:
    conditions: list[Document] = []
    if spec.categories:
        conditions.append({"category": {"$in": [category.value for category in spec.categories]}})
    if spec.deadline_after is not None:
        conditions.append({"submissionDeadline": {"$gte": spec.deadline_after}})
    if spec.deadline_before is not None:
        conditions.append({"submissionDeadline": {"$lt": spec.deadline_before}})
    if spec.title_contains:
        # Escaped, so the client's text is matched literally and can never be a costly pattern.
        conditions.append({"title": {"$regex": re.escape(spec.title_contains), "$options": "i"}})
    return conditions


SORT_KEYS = {
    RfpOrderField.CREATED_AT: SortKey("createdAt", is_datetime=True),
    RfpOrderField.SUBMISSION_DEADLINE: SortKey("submissionDeadline", is_datetime=True),
    RfpOrderField.TITLE: SortKey("title"),
}
