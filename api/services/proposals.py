"""Proposals: submit, revise (optimistic concurrency), withdraw, shortlist, preview; and the lists."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

import scoring
from api.services.ground import REVISABLE, Aborted, MarketGround, forbidden, not_found
from api.services.idempotency import IdempotencyKey
from api.services.idempotency import idempotency_key as idempotency_key_for
from api.services.inputs import changed_fields, validate
from api.services.paging import SortKey, keyset_page, page_of_keys
from api.store.document import Document
from api.store.proposals import CONFIRM_FIELDS, SCORE_FIELDS, new_proposal_document, proposal_record
from api.store.rankings import (
    SLOT_DOC,
    apply_cost_changes,
    cost_field,
    live_entry,
    pending_weights,
    ranking_entry,
    scored_fields,
)
from api.store.rfps import rfp_record
from market import visibility
from market.lifecycle import FINAL_RFP_STATUSES, rfp_is_final
from market.listing import OrderDirection, ProposalListing, ProposalOrderField
from market.records import OrganizationRecord, Page, ProposalRecord, RfpRecord
from market.roles import Action
from market.vocabulary import ErrorCode, OrganizationKind, Outcome, ProposalStatus, RfpStatus
from scoring.disclosure import budget_blind
from scoring.model import ProposalScore, ProposalTerms


class ProposalService:
    # Each revision stores a new snapshot and an audit event: bounded per proposal, in a sliding hour.
    revisions_per_hour: int = 60

    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store
        self.digests = ground.digests

    def _writing(self, rfp_id: str) -> asyncio.Lock:
        """One of this instance's proposal writes to an RFP at a time. They all write the RFP (its
        count and cost figures), so concurrent ones conflict there and all but one retry, with
        backoff, redoing their work: 8 vendors submitting at once made the last wait 11x a lone
        submission. Queued they take turns instead (with the fence refreshes' writes)."""
        return self.digests.writing(rfp_id)

    async def _within_revision_limit(
        self, session: AsyncClientSession, proposal_id: str, now: datetime
    ) -> None:
        # The proposal's events of the last hour, a flat filter planned on by_subject (a hint would
        # walk that index whole: every event of the marketplace); `action` is in no index, so the
        # revisions among them are counted here.
        last_hour = self.store.audit_events.find(
            {"subjectId": ObjectId(proposal_id), "at": {"$gt": now - timedelta(hours=1)}},
            {"action": 1, "_id": 0},
            session=session,
        )
        recent = sum([1 async for event in last_hour if event.get("action") == "revised"])
        if recent >= self.revisions_per_hour:
            raise Aborted(
                Outcome.fail(
                    ErrorCode.RATE_LIMITED,
                    f"at most {self.revisions_per_hour} revisions of a proposal per hour; try again later",
                    ("input", "proposalId"),
                )
            )

    def _scored(
        self, data: dict[str, Any], rfp: RfpRecord, prefix: tuple[str, ...]
    ) -> Outcome[tuple[ProposalTerms, ProposalScore]]:
        terms, errors = validate(ProposalTerms, data, prefix)
        if terms is None:
            return Outcome(errors=errors)
        try:
            return Outcome((terms, scoring.score(terms, rfp.context)))
        except scoring.CurrencyMismatch as mismatch:  # no silent FX: refused, naming the amount
            return Outcome.fail(ErrorCode.CURRENCY_MISMATCH, str(mismatch), (*prefix, *mismatch.path))
        except scoring.ScoringInputError as refused:  # a unit the RFP's figures cannot multiply
            return Outcome.fail(ErrorCode.INVALID, str(refused), (*prefix, *refused.path))

    def _check_open(self, rfp: RfpRecord, stored_status: str) -> Outcome[Any] | None:
        if stored_status == RfpStatus.OPEN.value and rfp.status is RfpStatus.CLOSED:
            return Outcome.fail(ErrorCode.DEADLINE_PASSED, "the submission deadline has passed")
        if rfp.status is not RfpStatus.OPEN:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}, not OPEN")
        return None

    async def _open_rfp_in(
        self, session: AsyncClientSession, rfp_id: str, now: datetime, inc: str
    ) -> tuple[RfpRecord, Document]:
        """The RFP as this transaction sees it (and wrote it), provided it is still open; aborts otherwise.

        The conditional write makes "still open" part of the transaction, and writing the RFP makes a
        concurrent close, cancel or re-weighting (which write it too) conflict with this
        transaction: one of the two is retried, so a proposal is never stored after the RFP closed
        nor with a total under weights that are no longer the RFP's.
        """
        doc = await self.store.rfps.find_one_and_update(
            {"_id": ObjectId(rfp_id), "status": RfpStatus.OPEN.value, "submissionDeadline": {"$gt": now}},
            {"$inc": {inc: 1}},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if doc is not None:
            return rfp_record(doc, now), doc
        current = await self.store.rfps.find_one({"_id": ObjectId(rfp_id)}, session=session)
        closed = self._check_open(rfp_record(current, now), current["status"]) if current else None
        raise Aborted(closed or Outcome.fail(ErrorCode.INVALID_STATE, "the RFP closed meanwhile"))

    @staticmethod
    def _next_score(terms: ProposalTerms, rfp: RfpRecord) -> ProposalScore | None:
        """The score under the addendum an RFP's rescoring job is applying (None: no such job), so
        a write during the job lands in both score slots and the switch never loses it."""
        job = rfp.reweighing
        if job is None or job.context is None:
            return None
        try:
            return scoring.score(terms, job.context)
        except (scoring.CurrencyMismatch, scoring.ScoringInputError) as refused:
            # It could not be ranked once the addendum switches in: refused now, like a proposal
            # the amended RFP refuses (the addendum is public once it switches in).
            path = ("input", "proposal", *refused.path)
            problem = f"cannot be scored under the addendum being applied: {refused}"
            raise Aborted(Outcome.fail(ErrorCode.INVALID, problem, path)) from refused

    @staticmethod
    def _slot_writes(rfp: RfpRecord, score: ProposalScore, next_score: ProposalScore | None) -> Document:
        """The proposal's score fields: the live slot, and the pending one while an addendum rescores
        (flagged for confirmation when the addendum asks it: this write answered the old version)."""
        live = rfp.score_slot
        fields: Document = {SCORE_FIELDS[live]: score.model_dump(mode="python"), CONFIRM_FIELDS[live]: False}
        if next_score is not None:
            fields[SCORE_FIELDS[1 - live]] = next_score.model_dump(mode="python")
            fields[CONFIRM_FIELDS[1 - live]] = bool(rfp.reweighing and rfp.reweighing.confirm)
        return fields

    def _scored_in(self, data: dict[str, Any], rfp: RfpRecord) -> tuple[ProposalTerms, ProposalScore]:
        scored = self._scored(data, rfp, ("input", "proposal"))
        if scored.value is None:
            raise Aborted(Outcome(errors=scored.errors))
        return scored.value

    async def _replay_proposal(self, answer: Document) -> Outcome[ProposalRecord]:
        doc = await self.store.proposals.find_one({"_id": answer["proposalId"]})
        return Outcome(proposal_record(doc)) if doc else not_found(("input",), "proposal")

    async def submit_proposal(
        self,
        viewer: OrganizationRecord | None,
        rfp_id: str,
        data: dict[str, Any],
        idempotency_key: str | None = None,
    ) -> Outcome[ProposalRecord]:
        if (denied := self.ground.denied(viewer, Action.BID)) is not None:
            return denied
        if viewer is None or viewer.kind is not OrganizationKind.VENDOR:
            return forbidden(OrganizationKind.VENDOR)
        request = {"rfpId": rfp_id, "proposal": data}
        made = idempotency_key_for(idempotency_key, f"organization:{viewer.id}", "submitProposal", request)
        if made.errors:
            return Outcome(errors=made.errors)
        key = made.value

        async def run() -> Outcome[ProposalRecord]:
            return await self._submit(viewer, rfp_id, data, key)

        return await self.ground.idempotent(key, self._replay_proposal, run)

    async def _submit(
        self, viewer: OrganizationRecord, rfp_id: str, data: dict[str, Any], key: IdempotencyKey | None
    ) -> Outcome[ProposalRecord]:
        doc = await self.ground.rfp_doc(rfp_id)
        rfp = rfp_record(doc, self.ground.now()) if doc else None
        if doc is None or rfp is None or not self.ground.sees_rfp(viewer, rfp):
            return not_found(("input", "rfpId"), "RFP")
        closed = self._check_open(rfp, doc["status"])
        if closed:
            return closed
        scored = self._scored(data, rfp, ("input", "proposal"))  # input errors before any write
        if scored.value is None:
            return Outcome(errors=scored.errors)

        async def work(session: AsyncClientSession) -> Document:
            # Counting on the RFP with a state filter makes "still open" and "insert" one decision,
            # and the total is computed under the weights this transaction reads; the deadline is
            # compared with the time of the write, not of the checks above.
            now = self.ground.now()
            # First: a concurrent duplicate (same key) stops here, whatever happened since.
            proposal_id = ObjectId()
            await self.ground.remember(session, key, {"proposalId": proposal_id})
            current, written = await self._open_rfp_in(session, rfp_id, now, "proposalCount")
            terms, score = self._scored_in(data, current)
            next_score = self._next_score(terms, current)
            proposal_doc = new_proposal_document(current.id, viewer.id, terms, score, now)
            proposal_doc["_id"] = proposal_id
            del proposal_doc["score"]
            proposal_doc.update(self._slot_writes(current, score, next_score))
            await self.store.proposals.insert_one(proposal_doc, session=session)
            slot = current.score_slot
            entry = ranking_entry(
                proposal_doc, score, current.rank_field, pending_weights(current), slot, next_score
            )
            await self.store.rankings.insert_one(entry, session=session)
            cost = live_entry(entry, slot)["cost"]
            fences[0] = await apply_cost_changes(
                self.store,
                session,
                entry["rfpId"],
                added=[cost],
                changed=[entry["_id"]],
                field=cost_field(slot),
                written=written,
            )
            await self.ground.audit(session, proposal_doc["_id"], viewer, "submitted")
            return proposal_doc

        fences = [False]  # whether the write found the RFP's fences due a refresh

        try:
            async with self._writing(rfp.id):
                proposal_doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        except DuplicateKeyError:
            return Outcome.fail(
                ErrorCode.ALREADY_SUBMITTED, await self._already_submitted(viewer, rfp.id), ("input", "rfpId")
            )
        if fences[0]:
            self.digests.schedule(rfp.id)
        return Outcome(proposal_record(proposal_doc))

    async def _already_submitted(self, viewer: OrganizationRecord, rfp_id: str) -> str:
        """What the vendor can do about its earlier proposal: revise it, unless it was withdrawn (a
        withdrawn proposal cannot be revised, so advising that would send the vendor into a refusal)."""
        earlier = await self.store.proposals.find_one(
            {"rfpId": ObjectId(rfp_id), "vendorId": ObjectId(viewer.id)}, {"status": 1}
        )
        if earlier is not None and earlier["status"] == ProposalStatus.WITHDRAWN.value:
            return "you withdrew your proposal to this RFP; it cannot be revised or resubmitted"
        return "you already submitted to this RFP; revise that proposal"

    async def revise_proposal(
        self,
        viewer: OrganizationRecord | None,
        proposal_id: str,
        expected_version: int,
        data: dict[str, Any],
        idempotency_key: str | None = None,
    ) -> Outcome[ProposalRecord]:
        if (denied := self.ground.denied(viewer, Action.BID)) is not None:
            return denied
        if viewer is None:
            return not_found(("input", "proposalId"), "proposal")
        request = {"proposalId": proposal_id, "expectedVersion": expected_version, "proposal": data}
        made = idempotency_key_for(idempotency_key, f"organization:{viewer.id}", "reviseProposal", request)
        if made.errors:
            return Outcome(errors=made.errors)
        key = made.value

        async def run() -> Outcome[ProposalRecord]:
            return await self._revise(viewer, proposal_id, expected_version, data, key)

        return await self.ground.idempotent(key, self._replay_proposal, run)

    async def _revise(
        self,
        viewer: OrganizationRecord,
        proposal_id: str,
        expected_version: int,
        data: dict[str, Any],
        key: IdempotencyKey | None,
    ) -> Outcome[ProposalRecord]:
        proposal, rfp = await self.ground.vendor_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        doc = await self.ground.rfp_doc(rfp.id)
        closed = self._check_open(rfp, doc["status"] if doc else "")
        if closed:
            return closed
        if proposal.status.value not in REVISABLE:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the proposal is {proposal.status.value}")
        scored = self._scored(data, rfp, ("input", "proposal"))  # input errors before any write
        if scored.value is None:
            return Outcome(errors=scored.errors)
        fields = changed_fields(proposal.terms, scored.value[0])

        async def work(session: AsyncClientSession) -> Document:
            now = self.ground.now()  # the deadline is compared with the time of the write
            # First: a concurrent duplicate (same key) stops here, before the version check.
            await self.ground.remember(session, key, {"proposalId": ObjectId(proposal.id)})
            current, written = await self._open_rfp_in(session, rfp.id, now, "proposalWrites")
            await self._within_revision_limit(session, proposal.id, now)
            terms, score = self._scored_in(data, current)
            next_score = self._next_score(terms, current)
            # The version in the filter is the optimistic lock: of concurrent revisions with the same
            # expectedVersion exactly one matches, the others get CONFLICT; none is lost silently.
            updated = await self.store.proposals.find_one_and_update(
                {
                    "_id": ObjectId(proposal.id),
                    "version": expected_version,
                    "status": {"$in": list(REVISABLE)},
                },
                {
                    "$set": {
                        "terms": terms.model_dump(mode="python"),
                        "updatedAt": now,
                        # the score; and a revision answers an addendum too (needsConfirmation)
                        **self._slot_writes(current, score, next_score),
                    },
                    "$inc": {"version": 1},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if updated is None:
                raise Aborted(
                    Outcome.fail(
                        ErrorCode.CONFLICT,
                        f"expectedVersion {expected_version} is stale; reload the proposal and revise again",
                        ("input", "expectedVersion"),
                    )
                )
            ranked = scored_fields(
                updated["rfpId"],
                updated["_id"],
                updated["submittedAt"],
                score,
                current.rank_field,
                pending_weights(current),
                current.score_slot,
                next_score,
            )
            slot, field = current.score_slot, cost_field(current.score_slot)
            before = await self.store.rankings.find_one_and_update(
                {"_id": updated["_id"]}, {"$set": ranked}, {field: 1}, session=session
            )
            removed = [live_entry(before, slot)["cost"]] if before else []
            added = [live_entry(ranked, slot)["cost"]]
            fences[0] = await apply_cost_changes(
                self.store,
                session,
                updated["rfpId"],
                added=added,
                removed=removed,
                changed=[updated["_id"]],
                field=field,
                written=written,
            )
            await self.ground.audit(session, updated["_id"], viewer, "revised", fields)
            return updated

        fences = [False]  # whether the write found the RFP's fences due a refresh
        try:
            async with self._writing(rfp.id):
                updated = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        if fences[0]:
            self.digests.schedule(rfp.id)
        return Outcome(proposal_record(updated))

    async def withdraw_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]:
        if (denied := self.ground.denied(viewer, Action.BID)) is not None:
            return denied
        proposal, rfp = await self.ground.vendor_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        if rfp_is_final(rfp.status):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        return await self._set_proposal_status(viewer, proposal, ProposalStatus.WITHDRAWN, "withdrawn")

    async def shortlist_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]:
        if (denied := self.ground.denied(viewer, Action.AWARD)) is not None:
            return denied
        proposal, rfp = await self.ground.buyer_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        if rfp.status in (*FINAL_RFP_STATUSES, RfpStatus.DRAFT):
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
        now = self.ground.now()

        async def work(session: AsyncClientSession) -> Document | None:
            doc = await self.store.proposals.find_one_and_update(
                {"_id": ObjectId(proposal.id), "status": {"$in": list(REVISABLE)}},
                {"$set": {"status": target.value, "updatedAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                return None
            await self.ground.audit(session, doc["_id"], actor, action, ["status"])
            if target is ProposalStatus.WITHDRAWN:
                # A withdrawn proposal leaves the ranking and the count.
                left = await self.store.rankings.find_one_and_delete(
                    {"_id": doc["_id"]}, {"cost": 1, SLOT_DOC: 1}, session=session
                )
                counted = await self.store.rfps.find_one_and_update(
                    {"_id": ObjectId(proposal.rfp_id)},
                    {"$inc": {"proposalCount": -1}},
                    {"scoreSlot": 1},
                    session=session,
                )
                slot = (counted or {}).get("scoreSlot", 0)  # the live slot's cost leaves the figures
                if left is not None:
                    fences[0] = await apply_cost_changes(
                        self.store,
                        session,
                        ObjectId(proposal.rfp_id),
                        removed=[live_entry(left, slot)["cost"]],
                        changed=[doc["_id"]],
                        field=cost_field(slot),
                    )
            else:
                await self.store.rankings.update_one(
                    {"_id": doc["_id"]}, {"$set": {"status": target.value}}, session=session
                )
            return doc

        fences = [False]  # whether the write found the RFP's fences due a refresh
        async with self._writing(proposal.rfp_id):
            doc = await self.ground.in_transaction(work)
        if doc is None:
            return Outcome.fail(ErrorCode.INVALID_STATE, "the proposal changed state meanwhile; reload it")
        if fences[0]:
            self.digests.schedule(proposal.rfp_id)
        return Outcome(proposal_record(doc))

    async def find_proposals(
        self, viewer: OrganizationRecord | None, rfp: RfpRecord, listing: ProposalListing
    ) -> Page[ProposalRecord]:
        """`Rfp.proposals(filter:, orderBy:)`: the buyer's view of all (once unsealed), a vendor its own."""
        if viewer is None:
            return Page.empty()
        query: Document = {"rfpId": ObjectId(rfp.id)}
        if viewer.id != rfp.buyer_id:
            query["vendorId"] = ObjectId(viewer.id)  # a vendor sees only its own proposal
        elif not self.ground.sees_proposals_of(viewer, rfp):
            return Page.empty()
        field = "submittedAt" if listing.order_field is ProposalOrderField.SUBMITTED_AT else "updatedAt"
        key = SortKey(field, descending=listing.direction is OrderDirection.DESC, is_datetime=True)
        if listing.statuses:
            # A status beside rfpId is in no index (planned as a scan of every proposal): the keys
            # of the RFP's proposals are read on by_rfp and their statuses checked here.
            statuses = {status.value for status in listing.statuses}
            return await page_of_keys(
                self.store.proposals,
                query,
                listing.window,
                "proposals",
                key,
                proposal_record,
                lambda doc: doc["status"] in statuses,
                ("status",),
            )
        return await keyset_page(
            self.store.proposals,
            query,
            listing.window,
            "proposals",
            key,
            proposal_record,
            counted=listing.counted,
        )

    async def find_own_proposals(
        self, viewer: OrganizationRecord | None, listing: ProposalListing
    ) -> Page[ProposalRecord]:
        """`viewer.proposals`: a vendor's own proposals across every RFP, newest submission first by
        default. Only vendors submit, so a buyer (or anyone else) gets an empty connection."""
        if viewer is None or viewer.kind is not OrganizationKind.VENDOR:
            return Page.empty()
        query: Document = {"vendorId": ObjectId(viewer.id)}
        if listing.statuses:
            query["status"] = {"$in": [status.value for status in listing.statuses]}
        field = "submittedAt" if listing.order_field is ProposalOrderField.SUBMITTED_AT else "updatedAt"
        key = SortKey(field, descending=listing.direction is OrderDirection.DESC, is_datetime=True)
        return await keyset_page(
            self.store.proposals, query, listing.window, "own-proposals", key, proposal_record
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
        rfp = await self.ground.get_rfp(viewer, rfp_id)
        if rfp is None or not visibility.may_preview_score(viewer, rfp):
            return not_found(("rfpId",), "RFP")
        scored = self._scored(data, rfp, ("proposal",))
        if scored.value is None:
            return Outcome(errors=scored.errors)
        score = scored.value[1]
        return Outcome(score if self.ground.can_see_budget(viewer, rfp) else budget_blind(score))
