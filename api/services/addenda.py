"""Addenda: the buyer amends an OPEN RFP (scope, volumes, requirements, budget, weights, deadline) as
a numbered addendum; a change of the scoring context rescores every live proposal in the same
transaction, and a change of what is bought flags proposals for the vendor's confirmation
(`confirmProposal`, or a revision). The pure rules are market/addenda.py."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

import scoring
from api.services.ground import REVISABLE, Aborted, MarketGround, changed_meanwhile, forbidden, not_found
from api.services.inputs import LATEST_DEADLINE, changed_fields, text_problem, validate
from api.services.rfp_events import record_rfp_event
from api.store.document import Document
from api.store.proposals import proposal_record
from api.store.rankings import pending_weights, recompute_cost_figures, scored_fields
from api.store.rfps import new_addendum_entry, rfp_record
from market import addenda
from market.records import OrganizationRecord, ProposalRecord, RfpRecord
from market.roles import Action
from market.vocabulary import ErrorCode, OrganizationKind, Outcome, RfpStatus
from scoring.model import ProposalTerms, RfpContext

MAX_SUMMARY = 5_000
MAX_SCOPE = 20_000
# Rescoring writes its proposals and ranking entries in bulk writes of this many, so the API holds
# one chunk at a time (bounded memory), not every proposal of a large RFP.
RESCORE_CHUNK = 500

log = logging.getLogger("rfpmarket.addenda")


def _open_problem(rfp: RfpRecord, stored_status: str | None) -> Outcome[Any] | None:
    if stored_status == RfpStatus.OPEN.value and rfp.status is RfpStatus.CLOSED:
        return Outcome.fail(ErrorCode.DEADLINE_PASSED, "the submission deadline has passed")
    if rfp.status is not RfpStatus.OPEN:
        return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}, not OPEN")
    return None


class AddendumService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store
        self.digests = ground.digests

    async def amend_rfp(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: dict[str, Any]
    ) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.AMEND)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        doc = await self.ground.rfp_doc(rfp.id)
        closed = _open_problem(rfp, doc["status"] if doc else None)
        if closed:
            return closed
        planned = self._plan(rfp, data)
        if planned.value is None:
            return Outcome(errors=planned.errors)
        context, changes, summary = planned.value
        now = self.ground.now()
        entry = new_addendum_entry(len(rfp.addenda) + 1, summary, now, sorted(changes))
        updated = await self._write(viewer, rfp, context, changes, entry, now)
        if updated.value is not None:
            if addenda.rescores(changes):
                self.digests.schedule(rfp.id)
            await record_rfp_event(rfp.id, "AMENDED", now)
            if "submissionDeadline" in changes:
                await record_rfp_event(rfp.id, "DEADLINE_CHANGED", now)
        return updated

    def _plan(self, rfp: RfpRecord, data: dict[str, Any]) -> Outcome[tuple[RfpContext, dict[str, Any], str]]:
        """The amended context and the stored fields that change (`changes`: input path -> value),
        or the user errors naming the input paths at fault."""
        problem = text_problem(str(data.get("summary", "")), MAX_SUMMARY)
        if problem:
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "summary"))
        merged = rfp.context.model_dump(mode="python", by_alias=True)
        merged.update({name: data[name] for name in addenda.CONTEXT_FIELDS if name in data})
        context, errors = validate(RfpContext, merged, ("input",))
        if context is None:
            return Outcome(errors=errors)
        changes: dict[str, Any] = dict.fromkeys(changed_fields(rfp.context, context))
        if "scope" in data and data["scope"].strip() != rfp.scope:
            problem = text_problem(data["scope"], MAX_SCOPE)
            if problem:
                return Outcome.fail(ErrorCode.INVALID, problem, ("input", "scope"))
            changes["scope"] = data["scope"].strip()
        deadline = data.get("submissionDeadline")
        if isinstance(deadline, datetime) and deadline != rfp.submission_deadline:
            problem = self._deadline_problem(rfp, deadline)
            if problem:
                return Outcome.fail(ErrorCode.INVALID, problem, ("input", "submissionDeadline"))
            changes["submissionDeadline"] = deadline.astimezone(UTC)
        if not changes:
            return Outcome.fail(ErrorCode.INVALID, "the addendum changes nothing", ("input",))
        return Outcome((context, changes, data["summary"].strip()))

    @staticmethod
    def _deadline_problem(rfp: RfpRecord, deadline: datetime) -> str | None:
        if deadline.tzinfo is None:
            return "must name its time zone"
        if deadline >= LATEST_DEADLINE:
            return f"must be before {LATEST_DEADLINE:%Y-%m-%d}"
        return addenda.deadline_move_error(rfp.submission_deadline, deadline)

    async def _write(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        context: RfpContext,
        changes: dict[str, Any],
        entry: Document,
        now: datetime,
    ) -> Outcome[RfpRecord]:
        stored: Document = {"context": context.model_dump(mode="python"), "updatedAt": now}
        for name in ("scope", "submissionDeadline"):
            if name in changes:
                stored[name] = changes[name]
        # Still open, and no other addendum landed meanwhile (the numbers stay consecutive). Writing
        # the RFP makes concurrent submissions and revisions (which write it too) conflict with
        # this transaction: no proposal is stored scored under the context it replaces.
        still: Document = {
            "_id": ObjectId(rfp.id),
            "status": RfpStatus.OPEN.value,
            "submissionDeadline": {"$gt": now},
            "addenda": {"$size": len(rfp.addenda)},
        }
        if not rfp.addenda:
            still["addenda"] = {"$in": [None, []]}

        async def work(session: AsyncClientSession) -> Document:
            doc = await self.store.rfps.find_one_and_update(
                still,
                {"$set": stored, "$push": {"addenda": entry}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(changed_meanwhile("RFP"))
            await self.ground.audit(session, doc["_id"], viewer, "amended", entry["changedFields"])
            if addenda.rescores(changes):
                amended = rfp_record(doc, now)  # its ranking field and any re-weighting under way
                await self._rescore_all(viewer, amended, context, addenda.asks_confirmation(changes), session)
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        except PyMongoError:
            # e.g. rescoring a very large RFP outlived the database's transaction limit: the
            # transaction was aborted whole, so the RFP and its proposals are as they were.
            log.exception("amending RFP %s failed", rfp.id)
            return Outcome.fail(
                ErrorCode.CONFLICT,
                "the addendum could not be stored and rescored; nothing changed: try again",
                ("input",),
            )
        return Outcome(rfp_record(doc, now))

    async def _rescore_all(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        context: RfpContext,
        confirm: bool,
        session: AsyncClientSession,
    ) -> None:
        """Every live proposal scored under the amended RFP, in bulk writes of RESCORE_CHUNK per
        collection (all in the addendum's transaction); with `confirm`, each flagged as needing its
        vendor's confirmation (never dropped)."""
        writes: list[UpdateOne] = []
        entries: list[UpdateOne] = []
        events: list[Document] = []
        rfp_id = rfp.id
        live = {"rfpId": ObjectId(rfp_id), "status": {"$in": list(REVISABLE)}}
        rescored = False
        # The RFP's proposals through its index (a status range beside rfpId plans as a scan otherwise).
        async for doc in self.store.proposals.find(live, session=session, hint="by_rfp"):
            try:
                score = scoring.score(ProposalTerms.model_validate(doc["terms"]), context)
            except (scoring.ScoringInputError, scoring.CurrencyMismatch) as refused:
                # e.g. hours removed while a time-and-materials bid needs them: refuse the addendum.
                raise Aborted(
                    Outcome.fail(ErrorCode.INVALID, f"a proposal cannot be scored after it: {refused}")
                ) from refused
            fields: Document = {"score": score.model_dump(mode="python")}
            if confirm:
                fields["needsConfirmation"] = True
                events.append(self.ground.event(doc["_id"], viewer, "needsConfirmation", ["score"]))
            writes.append(UpdateOne({"_id": doc["_id"]}, {"$set": fields}))
            ranked = scored_fields(
                ObjectId(rfp_id), doc["_id"], doc["submittedAt"], score, rfp.rank_field, pending_weights(rfp)
            )
            entries.append(UpdateOne({"_id": doc["_id"]}, {"$set": ranked}))
            if len(writes) >= RESCORE_CHUNK:
                await self._flush(writes, entries, events, session)
                rescored = True
        if writes:
            await self._flush(writes, entries, events, session)
            rescored = True
        if rescored:
            # Every cost may have moved: the figures are recomputed with the scores they describe.
            await recompute_cost_figures(self.store, ObjectId(rfp_id), session)

    async def _flush(
        self,
        writes: list[UpdateOne],
        entries: list[UpdateOne],
        events: list[Document],
        session: AsyncClientSession,
    ) -> None:
        """Writes one chunk of rescored proposals, their entries and events; empties the lists."""
        await self.store.proposals.bulk_write(writes, ordered=False, session=session)
        await self.store.rankings.bulk_write(entries, ordered=False, session=session)
        if events:
            await self.store.audit_events.insert_many(events, session=session)
        writes.clear()
        entries.clear()
        events.clear()

    async def confirm_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]:
        if (denied := self.ground.denied(viewer, Action.BID)) is not None:
            return denied
        """The vendor stands by its proposal under the amended RFP (the addendum's score stays)."""
        if viewer is None or viewer.kind is not OrganizationKind.VENDOR:
            return forbidden(OrganizationKind.VENDOR)
        proposal, rfp = await self.ground.vendor_proposal(viewer, proposal_id)
        if proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        doc = await self.ground.rfp_doc(rfp.id)
        closed = _open_problem(rfp, doc["status"] if doc else None)
        if closed:
            return closed
        if not proposal.needs_confirmation or proposal.status.value not in REVISABLE:
            return Outcome.fail(
                ErrorCode.INVALID_STATE, "the proposal needs no confirmation", ("input", "proposalId")
            )
        now = self.ground.now()

        async def work(session: AsyncClientSession) -> Document:
            # Written with the RFP, so an addendum landing meanwhile conflicts and one is retried.
            rfp_open = {
                "_id": ObjectId(rfp.id),
                "status": RfpStatus.OPEN.value,
                "submissionDeadline": {"$gt": now},
            }
            if (
                await self.store.rfps.find_one_and_update(
                    rfp_open, {"$inc": {"proposalWrites": 1}}, session=session
                )
                is None
            ):
                raise Aborted(changed_meanwhile("RFP"))
            updated = await self.store.proposals.find_one_and_update(
                {"_id": ObjectId(proposal.id), "needsConfirmation": True, "status": {"$in": list(REVISABLE)}},
                {"$set": {"needsConfirmation": False, "updatedAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if updated is None:
                raise Aborted(changed_meanwhile("proposal"))
            await self.ground.audit(session, updated["_id"], viewer, "confirmed", ["needsConfirmation"])
            return updated

        try:
            updated = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome(proposal_record(updated))
