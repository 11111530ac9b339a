"""Addenda: the buyer amends an OPEN RFP (scope, volumes, requirements, budget, weights, deadline) as
a numbered addendum; a change of what is bought flags proposals for the vendor's confirmation
(`confirmProposal`, or a revision). The pure rules are market/addenda.py.

A change of the scoring context rescores every live proposal as a ranking job, like re-weighting
(api/services/rfps.py): a small transaction marks the RFP with the pending addendum; batches of
RESCORE_BATCH (one transaction each) score proposals under it into the score slot and ranking key
field readers do not read; one small transaction then switches context, addenda, key field and
score slot together. Readers see the old version whole until then. A proposal the addendum cannot
score refuses the addendum: the job stops, nothing switches, and an `amendmentAbandoned` audit event
on the RFP says why."""

from __future__ import annotations

import logging
from dataclasses import replace
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
from api.services.rfps import INTERRUPTED as JOB_INTERRUPTED
from api.services.rfps import RfpService
from api.store.document import Document
from api.store.proposals import CONFIRM_FIELDS, SCORE_FIELDS, proposal_record
from api.store.rankings import cost_field, other_field, rank_key, recompute_cost_figures, slot_fields
from api.store.rfps import new_addendum_entry, rfp_record
from market import addenda
from market.records import OrganizationRecord, ProposalRecord, RfpRecord, live_needs_confirmation
from market.roles import Action
from market.vocabulary import ErrorCode, OrganizationKind, Outcome, RfpStatus
from scoring.model import ProposalScore, ProposalTerms, RfpContext

MAX_SUMMARY = 5_000
MAX_SCOPE = 20_000
# Proposals rescored per transaction by a rescoring addendum: a transaction stays far below the
# database's time limit and the job's memory stays one batch, whatever the RFP's size.
RESCORE_BATCH = 500
REFUSED = "the addendum could not be stored and rescored; nothing changed: try again"
INTERRUPTED: Outcome[RfpRecord] = Outcome.fail(
    ErrorCode.CONFLICT,
    "the addendum's rescoring was interrupted (another job took over, or the RFP changed); the RFP "
    "keeps its previous version: reload it and amend again",
    ("input",),
)

log = logging.getLogger("rfpmarket.addenda")


def _score_or_refuse(doc: Document, context: RfpContext) -> ProposalScore:
    try:
        return scoring.score(ProposalTerms.model_validate(doc["terms"]), context)
    except (scoring.ScoringInputError, scoring.CurrencyMismatch) as refused:
        # e.g. hours removed while a time-and-materials bid needs them: refuse the addendum.
        raise Aborted(
            Outcome.fail(ErrorCode.INVALID, f"a proposal cannot be scored after it: {refused}", ("input",))
        ) from refused


def _open_problem(rfp: RfpRecord, stored_status: str | None) -> Outcome[Any] | None:
    if stored_status == RfpStatus.OPEN.value and rfp.status is RfpStatus.CLOSED:
        return Outcome.fail(ErrorCode.DEADLINE_PASSED, "the submission deadline has passed")
    if rfp.status is not RfpStatus.OPEN:
        return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}, not OPEN")
    return None


class AddendumService:
    def __init__(self, ground: MarketGround, rfps: RfpService) -> None:
        self.ground = ground
        self.store = ground.store
        self.digests = ground.digests
        self.rfps = rfps  # the ranking-job machinery (one job per RFP, progress, take-over)

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
        for _ in range(3):
            planned = self._plan(rfp, data)
            if planned.value is None:
                return Outcome(errors=planned.errors)
            context, changes, summary = planned.value
            now = self.ground.now()
            entry = new_addendum_entry(len(rfp.addenda) + 1, summary, now, sorted(changes))
            if not addenda.rescores(changes):
                updated = await self._write(viewer, rfp, context, changes, entry, now)
                if updated.value is not None:
                    await self._announce(rfp.id, changes, now)
                return updated
            pending = self._pending(context, changes, entry, now)
            started = await self._mark(rfp, pending, now)
            if started.value is None:
                return Outcome(errors=started.errors)
            job, marked = started.value
            if marked.context == rfp.context:
                return await self.rfps.run_job(self._rescore(viewer, marked, job, pending, changes), marked)
            # A re-weighting it waited for switched the RFP's weights meanwhile: amend that version.
            await self.rfps._abandon(rfp.id, job)
            rfp = replace(marked, reweighing=None)
        return Outcome.fail(
            ErrorCode.CONFLICT, "the RFP kept changing meanwhile; reload it and amend again", ("input",)
        )

    @staticmethod
    async def _announce(rfp_id: str, changes: dict[str, Any], now: datetime) -> None:
        await record_rfp_event(rfp_id, "AMENDED", now)
        if "submissionDeadline" in changes:
            await record_rfp_event(rfp_id, "DEADLINE_CHANGED", now)

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

    @staticmethod
    def _stored(context: RfpContext, changes: dict[str, Any], now: datetime) -> Document:
        """The RFP's fields the addendum sets."""
        stored: Document = {"context": context.model_dump(mode="python"), "updatedAt": now}
        for name in ("scope", "submissionDeadline"):
            if name in changes:
                stored[name] = changes[name]
        return stored

    @staticmethod
    def _still(rfp: RfpRecord, now: datetime) -> Document:
        """Still open, and no other addendum landed meanwhile (the numbers stay consecutive)."""
        still: Document = {
            "_id": ObjectId(rfp.id),
            "status": RfpStatus.OPEN.value,
            "submissionDeadline": {"$gt": now},
            "addenda": {"$size": len(rfp.addenda)},
        }
        if not rfp.addenda:
            still["addenda"] = {"$in": [None, []]}
        return still

    async def _write(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        context: RfpContext,
        changes: dict[str, Any],
        entry: Document,
        now: datetime,
    ) -> Outcome[RfpRecord]:
        """An addendum that rescores nothing (scope, deadline): one small transaction. The context
        is not written: a re-weighting switching meanwhile keeps its weights."""
        stored = self._stored(context, changes, now)
        del stored["context"]
        # Writing the RFP makes concurrent submissions and revisions (which write it too) conflict.
        still = self._still(rfp, now)

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
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        except PyMongoError:
            log.exception("amending RFP %s failed", rfp.id)
            return Outcome.fail(ErrorCode.CONFLICT, REFUSED, ("input",))
        return Outcome(rfp_record(doc, now))

    def _pending(
        self, context: RfpContext, changes: dict[str, Any], entry: Document, now: datetime
    ) -> Document:
        """The pending addendum as the RFP's job marker keeps it until the switch."""
        return {
            "context": context.model_dump(mode="python"),
            "confirm": addenda.asks_confirmation(changes),
            "addendum": entry,
            "stored": self._stored(context, changes, now),
        }

    async def _mark(
        self, rfp: RfpRecord, pending: Document, now: datetime
    ) -> Outcome[tuple[ObjectId, RfpRecord]]:
        """Marks the RFP with the pending addendum (one small transaction; one ranking job per RFP:
        a second gets CONFLICT on `input`). The job then runs on this instance and outlives the
        request: the mutation answers with the amended RFP, or within REWEIGH_ANSWER_SECONDS with
        the RFP still at its old version and `weightsUpdate` showing the progress."""
        still = {name: value for name, value in self._still(rfp, now).items() if name != "_id"}
        weights = RfpContext.model_validate(pending["context"]).weights
        return await self.rfps._start_reweighing(None, rfp, weights, pending, still, ("input",))

    async def _rescore(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        job: ObjectId,
        pending: Document,
        changes: dict[str, Any],
    ) -> Outcome[RfpRecord]:
        try:
            await self._rescore_all(rfp, job)
            outcome = await self._switch(viewer, rfp, job, pending)
        except Aborted as aborted:  # a proposal it cannot score, taken over, or the RFP moved on
            outcome = INTERRUPTED if aborted.outcome is JOB_INTERRUPTED else aborted.outcome
        except PyMongoError:
            log.exception("rescoring RFP %s for an addendum failed", rfp.id)
            outcome = Outcome.fail(ErrorCode.CONFLICT, REFUSED, ("input",))
        if outcome.value is None:
            await self.rfps._abandon(rfp.id, job)
            await self._record_abandoned(viewer, rfp.id, outcome)
            return outcome
        self.digests.schedule(rfp.id)  # new ranking keys: the fences move too
        if pending["confirm"]:
            await self._confirmation_events(viewer, outcome.value)
        await self._announce(rfp.id, changes, self.ground.now())
        return outcome

    async def _rescore_all(self, rfp: RfpRecord, job: ObjectId) -> None:
        """Every live proposal scored under the pending addendum into the slot readers do not read,
        RESCORE_BATCH per transaction (bounded time and memory); writes meanwhile score themselves."""
        last: ObjectId | None = None
        while True:
            last = await self._rescore_batch(rfp, job, last)
            if last is None:
                return

    async def _rescore_batch(self, rfp: RfpRecord, job: ObjectId, after: ObjectId | None) -> ObjectId | None:
        """Rescores the next RESCORE_BATCH live proposals after `after` (by id, through their ranking
        entries); returns the last id, or None when none was left. Read and written in one
        transaction with the job's progress on the RFP, so a concurrent revision either is read
        here or conflicts with this batch (one retries)."""
        assert rfp.reweighing is not None and rfp.reweighing.context is not None
        context, confirm = rfp.reweighing.context, rfp.reweighing.confirm
        rfp_oid, live = ObjectId(rfp.id), rfp.score_slot
        key_field = other_field(rfp.rank_field)

        async def work(session: AsyncClientSession) -> ObjectId | None:
            query: Document = {"rfpId": rfp_oid}
            if after is not None:
                query["_id"] = {"$gt": after}
            # Planned on the rankings' by_rfp index (a hint would make SecantusDB walk all of it).
            found = self.store.rankings.find(query, {"_id": 1}, session=session).sort("_id", 1)
            ids = [entry["_id"] for entry in await found.limit(RESCORE_BATCH).to_list(RESCORE_BATCH)]
            if not ids:
                return None
            await self.rfps.claim_batch(session, rfp_oid, job, len(ids))
            wanted = {"terms": 1, "submittedAt": 1, CONFIRM_FIELDS[live]: 1}
            writes, entries = [], []
            async for doc in self.store.proposals.find({"_id": {"$in": ids}}, wanted, session=session):
                score = _score_or_refuse(doc, context)
                flag = confirm or bool(doc.get(CONFIRM_FIELDS[live], False))  # an open request stays
                stored = {
                    SCORE_FIELDS[1 - live]: score.model_dump(mode="python"),
                    CONFIRM_FIELDS[1 - live]: flag,
                }
                writes.append(UpdateOne({"_id": doc["_id"]}, {"$set": stored}))
                key = rank_key(rfp_oid, doc["_id"], doc["submittedAt"], score)
                ranked = {key_field: key, **slot_fields(score, 1 - live)}
                entries.append(UpdateOne({"_id": doc["_id"]}, {"$set": ranked}))
            if writes:
                await self.store.proposals.bulk_write(writes, ordered=False, session=session)
                await self.store.rankings.bulk_write(entries, ordered=False, session=session)
            last: ObjectId = ids[-1]
            return last

        return await self.ground.in_transaction(work)

    async def _switch(
        self, viewer: OrganizationRecord | None, rfp: RfpRecord, job: ObjectId, pending: Document
    ) -> Outcome[RfpRecord]:
        """The addendum takes effect in one small transaction: context, scope, deadline, the addenda
        entry, the ranking key field, the score slot and the cost figures switch together."""
        now = self.ground.now()
        slot = 1 - rfp.score_slot
        still = {**self._still(rfp, now), "reweighing.job": job}
        switched = {**pending["stored"], "rankField": other_field(rfp.rank_field), "scoreSlot": slot}
        update = {"$set": switched, "$push": {"addenda": pending["addendum"]}, "$unset": {"reweighing": ""}}

        async def work(session: AsyncClientSession) -> Document:
            doc = await self.store.rfps.find_one_and_update(
                still, update, return_document=ReturnDocument.AFTER, session=session
            )
            if doc is None:
                raise Aborted(changed_meanwhile("RFP"))
            changed = pending["addendum"]["changedFields"]
            await self.ground.audit(session, doc["_id"], viewer, "amended", changed)
            # Every cost may have moved: the figures of the slot going live, with the scores they describe.
            await recompute_cost_figures(self.store, doc["_id"], session, cost_field(slot))
            return doc

        doc = await self.ground.in_transaction(work)
        return Outcome(rfp_record(doc, now))

    async def _record_abandoned(
        self, viewer: OrganizationRecord | None, rfp_id: str, outcome: Outcome[RfpRecord]
    ) -> None:
        """The queryable outcome of an abandoned addendum: an `amendmentAbandoned` audit event on the
        RFP naming why (Rfp.auditEvents; the buyer also got the userError if it still waited)."""
        reasons = [error.message for error in outcome.errors]
        try:
            event = self.ground.event(ObjectId(rfp_id), viewer, "amendmentAbandoned", reasons)
            await self.store.audit_events.insert_one(event)
        except PyMongoError:
            log.exception("recording the abandoned addendum of RFP %s failed", rfp_id)

    async def _confirmation_events(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> None:
        """After the switch: a needsConfirmation event per flagged proposal, RESCORE_BATCH at a time
        (after, not inside, the switch: it stays one small transaction)."""
        last: ObjectId | None = None
        while True:
            query: Document = {"rfpId": ObjectId(rfp.id)}
            if last is not None:
                query["_id"] = {"$gt": last}
            found = self.store.rankings.find(query, {"_id": 1}).sort("_id", 1)
            ids = [entry["_id"] for entry in await found.limit(RESCORE_BATCH).to_list(RESCORE_BATCH)]
            if not ids:
                return
            events = [self.ground.event(oid, viewer, "needsConfirmation", ["score"]) for oid in ids]
            await self.store.audit_events.insert_many(events)
            last = ids[-1]

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
        if not live_needs_confirmation(proposal, rfp) or proposal.status.value not in REVISABLE:
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
            found = await self.store.rfps.find_one_and_update(
                rfp_open, {"$inc": {"proposalWrites": 1}}, session=session
            )
            if found is None:
                raise Aborted(changed_meanwhile("RFP"))
            current = rfp_record(found, now)
            live = CONFIRM_FIELDS[current.score_slot]
            answered = {live: False, "updatedAt": now}
            job = current.reweighing
            if job is not None and job.context is not None and not job.confirm:
                # A rescoring addendum under way carried the request over: answered there too.
                answered[CONFIRM_FIELDS[1 - current.score_slot]] = False
            updated = await self.store.proposals.find_one_and_update(
                {"_id": ObjectId(proposal.id), live: True, "status": {"$in": list(REVISABLE)}},
                {"$set": answered},
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
