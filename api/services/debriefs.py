"""Debriefs: once an RFP is AWARDED, each tenderer reads its rank of N, its score, the winner's
criteria (never its prices, terms or name unless the buyer publishes the award) and the buyer's
comment; and the buyer decides per RFP whether debriefs and the award are published. Who sees a
debrief is market.visibility.sees_debrief."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from api.services.ground import MarketGround, not_found
from api.services.inputs import text_problem
from api.services.ranked_reader import score_under
from api.store.document import Document
from api.store.proposals import proposal_record
from api.store.rankings import rank_range
from api.store.rfps import rfp_record
from market import visibility
from market.records import DebriefRecord, OrganizationRecord, ProposalRecord, RfpRecord, live_score
from market.roles import Action
from market.vocabulary import ErrorCode, Outcome, ProposalStatus, RfpStatus

MAX_COMMENT = 5_000


class DebriefService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store

    async def debrief(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> DebriefRecord | None:
        own = live_score(proposal, rfp)
        if own is None or not visibility.sees_debrief(viewer, proposal, rfp):
            return None
        field = rfp.rank_field
        entry = await self.store.rankings.find_one({"_id": ObjectId(proposal.id)}, {field: 1})
        if entry is None:
            return None
        up_to = rank_range(rfp.id, through=entry[field], field=field)
        ahead = await self.store.rankings.count_documents(up_to)
        competed = await self.store.rankings.count_documents(rank_range(rfp.id, field=field))
        winner = await self.store.proposals.find_one(
            {"rfpId": ObjectId(rfp.id), "status": ProposalStatus.AWARDED.value}
        )
        won = live_score(proposal_record(winner), rfp) if winner else None
        winner_score = score_under(won, rfp) if won else None
        name = None
        if winner is not None and visibility.sees_winner(viewer, rfp):
            organization = await self.store.organizations.find_one({"_id": winner["vendorId"]}, {"name": 1})
            name = organization["name"] if organization else None
        return DebriefRecord(
            rank=ahead,  # entries up to and including its own key
            of=competed,
            score=score_under(own, rfp),
            winner_score=winner_score,
            winner_name=name,
            comment=rfp.debrief_comment,
        )

    async def configure_debriefs(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: dict[str, Any]
    ) -> Outcome[RfpRecord]:
        if (denied := self.ground.denied(viewer, Action.AMEND)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        if rfp.status is RfpStatus.CANCELLED:
            return Outcome.fail(ErrorCode.INVALID_STATE, "the RFP is CANCELLED", ("input", "rfpId"))
        settings: Document = {}
        for name, stored in (("published", "debriefsPublished"), ("publishAward", "awardPublished")):
            if isinstance(data.get(name), bool):
                settings[stored] = data[name]
        if "comment" in data:
            problem = text_problem(str(data["comment"]), MAX_COMMENT)
            if problem:
                return Outcome.fail(ErrorCode.INVALID, problem, ("input", "comment"))
            settings["debriefComment"] = str(data["comment"]).strip()
        if not settings:
            return Outcome.fail(ErrorCode.INVALID, "name at least one setting to change", ("input",))
        now = self.ground.now()

        async def work(session: AsyncClientSession) -> Document | None:
            doc = await self.store.rfps.find_one_and_update(
                {"_id": ObjectId(rfp.id)},
                {"$set": {**settings, "updatedAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is not None:
                await self.ground.audit(session, doc["_id"], viewer, "debriefsConfigured", sorted(settings))
            return doc

        doc = await self.ground.in_transaction(work)
        return Outcome(rfp_record(doc, now)) if doc else not_found(("input", "rfpId"), "RFP")
