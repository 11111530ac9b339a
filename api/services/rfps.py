"""The RFP lifecycle: create, publish, close, cancel, re-weigh, award; and the RFP lists."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import PyMongoError

from api.services.ground import REVISABLE, Aborted, MarketGround, changed_meanwhile, forbidden, not_found
from api.services.idempotency import IdempotencyKey
from api.services.idempotency import idempotency_key as idempotency_key_for
from api.services.inputs import RfpDraft, changed_fields, criterion_entries, validate
from api.services.paging import keyset_page, page_of_keys, windowed_page
from api.services.rfp_listing import SORT_KEYS, WINDOWED, listing_filter
from api.store.document import Document
from api.store.rankings import SLOT_DOC, entry_key, live_entry, other_field
from api.store.rfps import new_rfp_document, rfp_record
from market.evaluation import weights_problem
from market.lifecycle import FINAL_RFP_STATUSES, RFP_TRANSITIONS, rfp_is_final
from market.listing import OrderDirection, RfpListing
from market.records import OrganizationRecord, Page, RfpRecord
from market.roles import Action
from market.vocabulary import ErrorCode, OrganizationKind, Outcome, ProposalStatus, RfpStatus
from scoring.model import Weights

FINAL = [status.value for status in FINAL_RFP_STATUSES]  # as stored
# Entries re-keyed per transaction by updateRfpWeights: a transaction stays far below the database's
# time limit and the job's memory stays one batch, whatever the RFP's size.
REWEIGH_BATCH = 500
# A re-weighting whose last batch is older than this was interrupted (its instance stopped): the
# next updateRfpWeights takes it over and starts again.
STALE_REWEIGHING = timedelta(minutes=2)
# How long updateRfpWeights waits for another re-weighting of the same RFP before CONFLICT.
REWEIGH_WAIT_SECONDS = 5.0
# How long updateRfpWeights waits for its job before answering with the progress instead: well within
# the request deadline, so a large RFP's re-weighting answers, never times out (it finishes on its own).
REWEIGH_ANSWER_SECONDS = 10.0
INTERRUPTED: Outcome[RfpRecord] = Outcome.fail(
    ErrorCode.CONFLICT,
    "the re-weighting was interrupted (another one took over, or the RFP changed); the ranking keeps "
    "its weights: reload the RFP and try again",
    ("input", "weights"),
)
REKEY_FIELDS = {"values": 1, "eligible": 1, "meets": 1, "submittedAt": 1, SLOT_DOC: 1}
log = logging.getLogger("rfpmarket.rfps")


class RfpService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store
        self.digests = ground.digests
        self.jobs: set[asyncio.Task[Outcome[RfpRecord]]] = set()  # re-weightings under way

    async def create_rfp(
        self, viewer: OrganizationRecord | None, data: dict[str, Any], idempotency_key: str | None = None
    ) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.DRAFT_RFP)) is not None:
            return denied
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
        criteria = draft.qualitative_criteria or ()
        if problem := weights_problem(draft.weights, [criterion.weight for criterion in criteria]):
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "qualitativeCriteria"))
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
        doc["qualitativeCriteria"] = criterion_entries(criteria)

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
        if (denied := self.ground.denied(viewer, Action.PUBLISH)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is not None and rfp.status is RfpStatus.DRAFT and rfp.submission_deadline <= self.ground.now():
            return Outcome.fail(
                ErrorCode.DEADLINE_PASSED, "the submission deadline has passed; create a new RFP"
            )
        return await self._transition(viewer, rfp_id, "published")

    async def close_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.PUBLISH)) is not None:
            return denied
        return await self._transition(viewer, rfp_id, "closed")

    async def cancel_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.PUBLISH)) is not None:
            return denied
        return await self._transition(viewer, rfp_id, "cancelled")

    async def update_rfp_weights(
        self, viewer: OrganizationRecord | None, rfp_id: str, weights: dict[str, Any]
    ) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.AMEND)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        new_weights, errors = validate(Weights, weights, ("input", "weights"))
        if new_weights is None:
            return Outcome(errors=errors)
        if rfp_is_final(rfp.status):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        if problem := weights_problem(new_weights, [c.weight for c in rfp.qualitative_criteria]):
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "weights"))
        started = await self._start_reweighing(viewer, rfp, new_weights)
        if started.value is None:
            return Outcome(errors=started.errors)
        job_id, marked = started.value
        fields = [f"weights.{name}" for name in changed_fields(marked.context.weights, new_weights)]
        # The job outlives its request: a client that gives up, or the request deadline, does not
        # stop it half-way (Rfp.weightsUpdate shows it finishing); the task is held until it ends.
        return await self.run_job(self._reweigh(viewer, marked, new_weights, job_id, fields), marked)

    async def run_job(
        self, work: Coroutine[Any, Any, Outcome[RfpRecord]], marked: RfpRecord
    ) -> Outcome[RfpRecord]:
        """Runs a ranking job (re-weighting, an addendum's rescoring) as a task of this instance and
        answers within REWEIGH_ANSWER_SECONDS: its outcome, or the RFP as marked (still moving)."""
        job = asyncio.create_task(work)
        self.jobs.add(job)
        job.add_done_callback(self.jobs.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(job), REWEIGH_ANSWER_SECONDS)
        except TimeoutError:
            # Still working: the RFP as marked, whose weightsUpdate shows what it moves to and the
            # progress (the client polls it); it switches when the job completes.
            return Outcome(marked)

    async def _reweigh(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        new_weights: Weights,
        job: ObjectId,
        fields: list[str],
    ) -> Outcome[RfpRecord]:
        try:
            await self._rekey_all(rfp, new_weights, job)
            outcome = await self._switch_weights(viewer, rfp, new_weights, job, fields)
        except Aborted as aborted:  # taken over, or the RFP closed meanwhile
            outcome = aborted.outcome
        except PyMongoError:
            log.exception("re-weighting RFP %s failed", rfp.id)
            outcome = Outcome.fail(
                ErrorCode.CONFLICT,
                "the re-weighting could not finish; the ranking keeps its weights: try again",
                ("input", "weights"),
            )
        if outcome.value is None:
            await self._abandon(rfp.id, job)
            return outcome
        self.digests.schedule(rfp.id)  # new ranking keys: the fences move too
        return outcome

    async def _start_reweighing(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        weights: Weights,
        extra: Document | None = None,
        still: Document | None = None,
        field: tuple[str, ...] = ("input", "weights"),
    ) -> Outcome[tuple[ObjectId, RfpRecord]]:
        """Marks the RFP as moving to `weights` (one small transaction): from now on every write also
        keys its entry under them. One ranking job at a time (a re-weighting, or an addendum's
        rescoring: `extra` holds its addendum, `still` its conditions on the RFP); one silent for
        STALE_REWEIGHING (its instance died) is taken over. The marker's `job` id names this job."""
        now = self.ground.now()
        free = {"$or": [{"reweighing": None}, {"reweighing.at": {"$lt": now - STALE_REWEIGHING}}]}
        total = rfp.ranking_digest.count if rfp.ranking_digest else rfp.proposal_count
        job = ObjectId()  # names this job: a taken-over one finds its marker gone and stops
        marker = {"weights": weights.model_dump(), "done": 0, "total": total, "startedAt": now, "at": now}
        marker["job"] = job
        marker.update(extra or {})

        async def work(session: AsyncClientSession) -> RfpRecord:
            doc = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(rfp.id), "status": {"$nin": FINAL}, **free, **(still or {})},
                {"$set": {"reweighing": marker}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(await self._why_not_reweighed(rfp.id, session, field))
            return rfp_record(doc, now)

        # Wall time, not the sum of the pauses: beside a large job each attempt's transaction takes
        # a while, and counting only the pauses let an addendum wait past the request deadline (504).
        give_up = time.monotonic() + REWEIGH_WAIT_SECONDS
        while True:
            try:
                marked = await self.ground.in_transaction(work)
            except Aborted as aborted:
                busy = any(error.code is ErrorCode.CONFLICT for error in aborted.outcome.errors)
                if not busy or time.monotonic() >= give_up:
                    return Outcome(errors=aborted.outcome.errors)
                # Another re-weighting of this RFP: a small one ends within moments, so wait for it
                # (the later weights win, as they would one after the other); a long one is refused.
                await asyncio.sleep(0.05)
                continue
            # The RFP as marked: a re-weighting this one waited for may have switched its ranking
            # field meanwhile, and this job must write the other one.
            return Outcome((job, marked))

    async def _why_not_reweighed(
        self, rfp_id: str, session: AsyncClientSession, field: tuple[str, ...]
    ) -> Outcome[None]:
        doc = await self.store.rfps.find_one({"_id": ObjectId(rfp_id)}, session=session)
        current = rfp_record(doc, self.ground.now()) if doc else None
        if current is None or rfp_is_final(current.status) or current.reweighing is None:
            return changed_meanwhile("RFP")
        job = current.reweighing
        what = "an addendum's rescoring" if job.context is not None else "another re-weighting"
        return Outcome.fail(
            ErrorCode.CONFLICT,
            f"{what} of this RFP is under way ({job.done} of {job.total} proposals done); try again "
            "when it ends (Rfp.weightsUpdate)",
            field,
        )

    async def _rekey_all(self, rfp: RfpRecord, weights: Weights, job: ObjectId) -> None:
        """Writes every entry's key under `weights` into the field the ranking does not read, in
        transactions of REWEIGH_BATCH entries (bounded time and memory whatever the RFP's size),
        each counting its progress on the RFP. Entries written meanwhile key themselves."""
        rfp_oid = ObjectId(rfp.id)
        pending = other_field(rfp.rank_field)
        last: ObjectId | None = None
        while True:
            last = await self._rekey_batch(rfp_oid, last, pending, weights, job, rfp.score_slot)
            if last is None:
                return

    async def claim_batch(
        self, session: AsyncClientSession, rfp_oid: ObjectId, job: ObjectId, count: int
    ) -> None:
        """Counts a batch of a ranking job on the RFP, in the batch's transaction. Writing the RFP
        makes a concurrent submission or revision conflict with the batch (one retries); the job id
        makes a job that was taken over (or whose RFP moved on) stop here."""
        mine = {"_id": rfp_oid, "reweighing.job": job}
        progress = {"$inc": {"reweighing.done": count}, "$set": {"reweighing.at": self.ground.now()}}
        if await self.store.rfps.find_one_and_update(mine, progress, {"_id": 1}, session=session) is None:
            raise Aborted(INTERRUPTED)

    async def _rekey_batch(
        self,
        rfp_oid: ObjectId,
        after: ObjectId | None,
        field: str,
        weights: Weights,
        job: ObjectId,
        slot: int = 0,
    ) -> ObjectId | None:
        """Re-keys the next REWEIGH_BATCH entries after `after` (by id); returns the last one, or None
        when none was left. Read and written in one transaction: a revision committed meanwhile
        either is read here or conflicts with this batch, never overwritten with stale criteria."""

        async def work(session: AsyncClientSession) -> ObjectId | None:
            query: Document = {"rfpId": rfp_oid}
            if after is not None:
                query["_id"] = {"$gt": after}
            # Planned on the rankings' by_rfp index (a hint would make SecantusDB walk all of it).
            found = self.store.rankings.find(query, REKEY_FIELDS, session=session).sort("_id", 1)
            batch = await found.limit(REWEIGH_BATCH).to_list(REWEIGH_BATCH)
            if not batch:
                return None
            await self.claim_batch(session, rfp_oid, job, len(batch))
            keys = [
                UpdateOne(
                    {"_id": entry["_id"]},
                    {"$set": {field: entry_key(rfp_oid, live_entry(entry, slot), weights)}},
                )
                for entry in batch
            ]
            await self.store.rankings.bulk_write(keys, ordered=False, session=session)
            last: ObjectId = batch[-1]["_id"]
            return last

        return await self.ground.in_transaction(work)

    async def _switch_weights(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        weights: Weights,
        job: ObjectId,
        fields: list[str],
    ) -> Outcome[RfpRecord]:
        """The weights and the field the ranking reads change together, in one small transaction:
        a reader sees the old ranking or the new one, never a mix."""
        now = self.ground.now()

        async def work(session: AsyncClientSession) -> Document:
            doc = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(rfp.id), "status": {"$nin": FINAL}, "reweighing.job": job},
                {
                    "$set": {
                        "context.weights": weights.model_dump(),
                        "rankField": other_field(rfp.rank_field),
                        "updatedAt": now,
                    },
                    "$unset": {"reweighing": ""},
                },
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(changed_meanwhile("RFP"))
            await self.ground.audit(session, doc["_id"], viewer, "weightsUpdated", fields)
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome(rfp_record(doc, now))

    async def _abandon(self, rfp_id: str, job: ObjectId) -> None:
        """Clears this job's marker (best effort: a stale marker is taken over anyway)."""
        try:
            await self.store.rfps.update_one(
                {"_id": ObjectId(rfp_id), "reweighing.job": job}, {"$unset": {"reweighing": ""}}
            )
        except PyMongoError:
            log.exception("clearing the re-weighting marker of RFP %s failed", rfp_id)

    async def award_proposal(self, viewer: OrganizationRecord | None, proposal_id: str) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.AWARD)) is not None:
            return denied
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
            # The other live proposals are those with a ranking entry (by_rfp, small documents): a
            # status beside rfpId is in no index of the proposals (a `distinct` on it was a scan).
            live = self.store.rankings.find({"rfpId": rfp_oid}, {"_id": 1}, session=session)
            rejected = [entry["_id"] async for entry in live if entry["_id"] != proposal_oid]
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
        if viewer.kind is OrganizationKind.VENDOR and wanted and RfpStatus.OPEN not in wanted:
            return Page.empty()
        key = replace(
            SORT_KEYS[listing.order.field], descending=listing.order.direction is OrderDirection.DESC
        )
        listed = listing_filter(viewer, wanted, listing.filter, now)

        def record(doc: Document) -> RfpRecord:
            return rfp_record(doc, now)

        if listed.checks:
            # Conditions no index serves beside the rest (rfp_listing): the keys of the RFPs the
            # query selects (bounded by the buyer, or by the open market) are read, checked and
            # paged here, rather than a scan of every RFP.
            return await page_of_keys(
                self.store.rfps, listed.query, listing.window, "rfps", key, record, listed.keep, listed.fields
            )
        if key.field == WINDOWED.field and listed.windowable:
            # The one sort field every RFP index ranges on after its equality fields: read in windows
            # of it, first page and cursor pages alike (paging.windowed_page).
            page = await windowed_page(
                self.store.rfps, listed.query, listing.window, "rfps", key, record, listing.counted
            )
            if page is not None:
                return page
        # A flat filter is planned on the index whose equality prefix it fills, reading only the
        # RFPs it matches (a hinted `$and` walked every RFP's entry: the dashboard grew with the
        # marketplace, 15x its raw fetch at 1,000 RFPs).
        return await keyset_page(
            self.store.rfps, listed.query, listing.window, "rfps", key, record, counted=listing.counted
        )
