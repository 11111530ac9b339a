"""The evaluation team's use cases: assign evaluators, conflict declarations, independent scoring,
opening consensus and recording it; and the reads of scores and consensus as each viewer may see them.

Every write re-checks its preconditions inside its transaction, and writes the RFP's document (a
stamp), so a score racing the opening of consensus conflicts with it and one is retried: no score
lands after consensus opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from api.services.ground import Aborted, MarketGround, changed_meanwhile, not_found
from api.services.inputs import text_problem
from api.store.database import parse_object_id
from api.store.document import Document
from api.store.evaluations import (
    consensus_record,
    evaluation_filter,
    evaluation_record,
    new_consensus_fields,
    new_declaration_entry,
    new_evaluation_fields,
)
from api.store.members import member_record
from api.store.rfps import rfp_record
from market import visibility
from market.evaluation import (
    cleared_for,
    declaration_of,
    justification_problem,
    mean_and_spread,
    outliers,
    score_problem,
)
from market.lifecycle import proposal_is_revisable, rfp_is_final
from market.records import (
    ConsensusRecord,
    EvaluationRecord,
    MemberRecord,
    OrganizationRecord,
    ProposalRecord,
    QualitativeCriterionRecord,
    RfpRecord,
)
from market.roles import Action
from market.vocabulary import ErrorCode, MemberRole, Outcome, RfpStatus

MAX_EVALUATORS = 20
MAX_NOTE = 1000


def _invalid_state(message: str) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.INVALID_STATE, message)


def criterion_of(rfp: RfpRecord, criterion_id: str) -> QualitativeCriterionRecord | None:
    return next((c for c in rfp.qualitative_criteria if c.id == criterion_id), None)


class EvaluationService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store

    # ------------------------------------------------------------------------------ the lead

    async def assign_evaluators(
        self, viewer: OrganizationRecord | None, rfp_id: str, member_ids: Sequence[str]
    ) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.LEAD_EVALUATION)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if viewer is None or rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        if not rfp.qualitative_criteria:
            return _invalid_state("the RFP has no qualitative criteria to evaluate")
        if len(set(member_ids)) > MAX_EVALUATORS:
            return Outcome.fail(ErrorCode.INVALID, f"at most {MAX_EVALUATORS}", ("input", "memberIds"))
        team = await self._team(viewer.id)
        chosen: list[ObjectId] = []
        for index, member_id in enumerate(member_ids):
            member = team.get(member_id)
            if member is None or not member.active or member.role is not MemberRole.EVALUATOR:
                field = ("input", "memberIds", str(index))
                return Outcome.fail(ErrorCode.INVALID, "not an active EVALUATOR of your organization", field)
            if ObjectId(member_id) not in chosen:
                chosen.append(ObjectId(member_id))
        return await self._write_rfp(
            viewer, rfp, {"$set": {"evaluatorIds": chosen}}, "evaluatorsAssigned", ["evaluatorIds"]
        )

    async def open_consensus(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.LEAD_EVALUATION)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if viewer is None or rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        if not rfp.qualitative_criteria:
            return _invalid_state("the RFP has no qualitative criteria to evaluate")
        if rfp.status is not RfpStatus.CLOSED:
            return _invalid_state("consensus opens once the RFP is closed (past its deadline)")
        return await self._write_rfp(
            viewer, rfp, {"$set": {"consensusOpen": True}}, "consensusOpened", ["consensusOpen"]
        )

    async def _write_rfp(
        self,
        viewer: OrganizationRecord,
        rfp: RfpRecord,
        update: Document,
        action: str,
        fields: list[str],
    ) -> Outcome[RfpRecord]:
        now = self.ground.now()
        update = {**update, "$set": {**update["$set"], "updatedAt": now}}

        async def work(session: AsyncClientSession) -> Document:
            # Re-checked by the write itself: consensus still closed, the RFP not final.
            doc = await self.store.rfps.find_one_and_update(
                {
                    "_id": ObjectId(rfp.id),
                    "consensusOpen": {"$ne": True},
                    "status": {"$nin": [RfpStatus.AWARDED.value, RfpStatus.CANCELLED.value]},
                },
                update,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(_invalid_state("consensus is already open, or the RFP is final"))
            await self.ground.audit(session, rfp.id, viewer, action, fields)
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome(rfp_record(doc, now))

    async def record_consensus(
        self,
        viewer: OrganizationRecord | None,
        proposal_id: str,
        criterion_id: str,
        score: float,
        reason: str,
    ) -> Outcome[ConsensusRecord]:
        if (denied := self.ground.denied(viewer, Action.LEAD_EVALUATION)) is not None:
            return denied
        proposal, rfp = await self.ground.buyer_proposal(viewer, proposal_id)
        if viewer is None or proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        criterion = criterion_of(rfp, criterion_id)
        if criterion is None:
            return not_found(("input", "criterionId"), "criterion")
        if problem := score_problem(score, criterion.scale_max):
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "score"))
        if problem := text_problem(reason, 5000):
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "reason"))
        if not rfp.consensus_open or rfp_is_final(rfp.status):
            return _invalid_state("consensus is recorded once the lead opened it, before the award")
        return await self._record_consensus(viewer, proposal, criterion, score, reason.strip())

    async def _record_consensus(
        self,
        viewer: OrganizationRecord,
        proposal: ProposalRecord,
        criterion: QualitativeCriterionRecord,
        score: float,
        reason: str,
    ) -> Outcome[ConsensusRecord]:
        now = self.ground.now()
        key = {"proposalId": ObjectId(proposal.id), "criterionId": ObjectId(criterion.id)}

        async def work(session: AsyncClientSession) -> Document:
            # The RFP is re-checked (and stamped) in the transaction: an award meanwhile wins.
            touched = await self.store.rfps.update_one(
                {"_id": ObjectId(proposal.rfp_id), "consensusOpen": True, "status": {"$ne": "AWARDED"}},
                {"$set": {"evaluationStamp": now}},
                session=session,
            )
            if touched.matched_count == 0:
                raise Aborted(changed_meanwhile("RFP"))
            scores = [doc["score"] async for doc in self.store.evaluations.find(key, session=session)]
            if not scores:
                raise Aborted(_invalid_state("no evaluator has scored this proposal on this criterion"))
            mean, spread = mean_and_spread(scores)
            fields = new_consensus_fields(proposal.rfp_id, score, reason, mean, spread, now)
            doc = await self.store.consensus.find_one_and_update(
                key, {"$set": fields}, upsert=True, return_document=ReturnDocument.AFTER, session=session
            )
            await self.ground.audit(
                session, proposal.id, viewer, "consensusRecorded", [f"consensus.{criterion.id}"]
            )
            assert doc is not None, "an upsert returns its document"
            return doc

        try:
            return Outcome(consensus_record(await self.ground.in_transaction(work)))
        except Aborted as aborted:
            return aborted.outcome

    # ------------------------------------------------------------------------------ evaluators

    async def declare_conflict(
        self,
        viewer: OrganizationRecord | None,
        rfp_id: str,
        vendor_id: str,
        has_conflict: bool,
        note: str | None,
    ) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.EVALUATE)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if viewer is None or rfp is None or viewer.member_id not in rfp.evaluator_ids:
            return not_found(("input", "rfpId"), "RFP assigned to you")
        vendor = parse_object_id(vendor_id)
        if vendor is None:
            return not_found(("input", "vendorId"), "vendor")
        if note is not None and len(note.strip()) > MAX_NOTE:
            return Outcome.fail(ErrorCode.INVALID, f"at most {MAX_NOTE} characters", ("input", "note"))
        if declaration_of(rfp, viewer.member_id, vendor_id) is not None:
            return Outcome.fail(ErrorCode.CONFLICT, "already declared for this vendor", ("input", "vendorId"))
        assert viewer.member_id is not None, "an assigned evaluator is a member"
        now = self.ground.now()
        entry = new_declaration_entry(
            viewer.member_id, vendor, has_conflict, note.strip() if note else None, now
        )

        async def work(session: AsyncClientSession) -> Document:
            doc = await self.store.rfps.find_one({"_id": ObjectId(rfp.id)}, session=session)
            current = rfp_record(doc, now) if doc else None
            # Re-checked in the transaction: still assigned, and not declared meanwhile.
            if current is None or viewer.member_id not in current.evaluator_ids:
                raise Aborted(changed_meanwhile("RFP"))
            if declaration_of(current, viewer.member_id, vendor_id) is not None:
                raise Aborted(Outcome.fail(ErrorCode.CONFLICT, "already declared for this vendor"))
            updated = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(rfp.id)},
                {"$push": {"declarations": entry}, "$set": {"evaluationStamp": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            await self.ground.audit(session, rfp.id, viewer, "conflictDeclared", ["declarations"])
            assert updated is not None, "read in this transaction"
            return updated

        try:
            return Outcome(rfp_record(await self.ground.in_transaction(work), now))
        except Aborted as aborted:
            return aborted.outcome

    async def submit_evaluation(
        self,
        viewer: OrganizationRecord | None,
        proposal_id: str,
        criterion_id: str,
        score: float,
        justification: str,
    ) -> Outcome[EvaluationRecord]:
        if (denied := self.ground.denied(viewer, Action.EVALUATE)) is not None:
            return denied
        proposal, rfp = await self.ground.proposal_and_rfp(viewer, proposal_id)
        if viewer is None or proposal is None or rfp is None:
            return not_found(("input", "proposalId"), "proposal")
        criterion = criterion_of(rfp, criterion_id)
        if criterion is None:
            return not_found(("input", "criterionId"), "criterion")
        if problem := score_problem(score, criterion.scale_max):
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "score"))
        if problem := justification_problem(score, criterion.scale_max, justification):
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "justification"))
        if not proposal_is_revisable(proposal.status) or rfp.consensus_open:
            return _invalid_state("scores are given before the lead opens consensus, on live proposals")
        return await self._submit_evaluation(viewer, proposal, criterion, score, justification.strip())

    async def _submit_evaluation(
        self,
        viewer: OrganizationRecord,
        proposal: ProposalRecord,
        criterion: QualitativeCriterionRecord,
        score: float,
        justification: str,
    ) -> Outcome[EvaluationRecord]:
        assert viewer.member_id is not None, "only a member may evaluate"
        now = self.ground.now()

        async def work(session: AsyncClientSession) -> Document:
            # Re-checked in the transaction, and the RFP stamped: consensus opening meanwhile (it
            # writes the same document) conflicts, and the retry finds it open and refuses.
            doc = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(proposal.rfp_id), "consensusOpen": {"$ne": True}},
                {"$set": {"evaluationStamp": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            current = rfp_record(doc, now) if doc else None
            if current is None or not cleared_for(current, viewer.member_id, proposal.vendor_id):
                raise Aborted(_invalid_state("consensus opened meanwhile, or you are no longer assigned"))
            key = evaluation_filter(ObjectId(proposal.id), ObjectId(criterion.id), viewer.member_id or "")
            fields = new_evaluation_fields(proposal.rfp_id, score, justification, now)
            saved = await self.store.evaluations.find_one_and_update(
                key, {"$set": fields}, upsert=True, return_document=ReturnDocument.AFTER, session=session
            )
            await self.ground.audit(
                session, proposal.id, viewer, "evaluated", [f"evaluations.{criterion.id}"]
            )
            assert saved is not None, "an upsert returns its document"
            return saved

        try:
            return Outcome(evaluation_record(await self.ground.in_transaction(work)))
        except Aborted as aborted:
            return aborted.outcome

    # ------------------------------------------------------------------------------ reads

    async def evaluations(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> list[tuple[EvaluationRecord, bool]]:
        """The scores the viewer may see, each with its outlier flag. Flags are computed only for a
        viewer who sees every score (else they would hint at the hidden ones)."""
        if viewer is None or not visibility.owns_rfp(viewer, rfp):
            return []
        found = self.store.evaluations.find({"proposalId": ObjectId(proposal.id)}).sort("_id", 1)
        every = [evaluation_record(doc) async for doc in found]
        seen = [e for e in every if visibility.sees_evaluation(viewer, rfp, e)]
        if len(seen) < len(every):
            return [(e, False) for e in seen]
        flagged: set[str] = set()
        for criterion in rfp.qualitative_criteria:
            scores = {e.member_id: e.score for e in every if e.criterion_id == criterion.id}
            flagged |= {f"{criterion.id}:{m}" for m in outliers(scores, criterion.scale_max)}
        return [(e, f"{e.criterion_id}:{e.member_id}" in flagged) for e in seen]

    async def consensus(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> list[ConsensusRecord]:
        if not visibility.sees_consensus(viewer, rfp):
            return []
        found = self.store.consensus.find({"proposalId": ObjectId(proposal.id)}).sort("_id", 1)
        return [consensus_record(doc) async for doc in found]

    async def evaluators(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> list[MemberRecord]:
        """The RFP's evaluators, to its buyer's members only."""
        if viewer is None or not visibility.owns_rfp(viewer, rfp) or not rfp.evaluator_ids:
            return []
        team = await self._team(rfp.buyer_id)
        return [team[member_id] for member_id in rfp.evaluator_ids if member_id in team]

    async def _team(self, organization_id: str) -> dict[str, MemberRecord]:
        doc = await self.store.organizations.find_one({"_id": ObjectId(organization_id)}, {"members": 1})
        members = (member_record(organization_id, entry) for entry in (doc or {}).get("members", []))
        return {member.id: member for member in members}
