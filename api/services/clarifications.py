"""Clarification questions on an RFP: a vendor asks during the enquiry period; the buyer answers
(published, anonymized, to every vendor who sees the RFP: bidders stay equal), declines with a
reason (shown to the asker only), or publishes a clarification nobody asked. Who sees which is
market.visibility.sees_clarification."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from api.services.ground import Aborted, MarketGround, changed_meanwhile, forbidden, not_found
from api.services.inputs import text_problem
from api.services.paging import SortKey, keyset_page, page_of_keys
from api.services.rfp_events import record_rfp_event
from api.store.clarifications import clarification_record, new_clarification_document
from api.store.database import parse_object_id
from api.store.document import Document
from api.store.rfps import rfp_record
from market import visibility
from market.listing import PageWindow
from market.records import ClarificationRecord, OrganizationRecord, Page, RfpRecord
from market.roles import Action
from market.vocabulary import ClarificationStatus, ErrorCode, OrganizationKind, Outcome, RfpStatus

MAX_TEXT = 5_000  # characters of a question, answer or reason


def text_error(value: str, field: tuple[str, ...]) -> Outcome[ClarificationRecord] | None:
    problem = text_problem(value, MAX_TEXT)
    return Outcome.fail(ErrorCode.INVALID, problem, field) if problem else None


class ClarificationService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store

    # ------------------------------------------------------------------------------ writes

    async def ask_clarification(
        self, viewer: OrganizationRecord | None, rfp_id: str, question: str
    ) -> Outcome[ClarificationRecord]:
        if (denied := self.ground.denied(viewer, Action.BID)) is not None:
            return denied
        if viewer is None or viewer.kind is not OrganizationKind.VENDOR:
            return forbidden(OrganizationKind.VENDOR)
        rfp = await self.ground.get_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        invalid = text_error(question, ("input", "question"))
        if invalid:
            return invalid
        now = self.ground.now()
        if not rfp.accepts_questions(now):
            if rfp.status is RfpStatus.OPEN:
                return Outcome.fail(
                    ErrorCode.DEADLINE_PASSED, "the enquiry period has ended", ("input", "rfpId")
                )
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}", ("input", "rfpId"))
        doc = new_clarification_document(rfp.id, viewer.id, question.strip(), None, now)
        return await self._insert(doc, viewer, "clarificationAsked", now)

    async def publish_clarification(
        self, viewer: OrganizationRecord | None, rfp_id: str, question: str, answer: str
    ) -> Outcome[ClarificationRecord]:
        if (denied := self.ground.denied(viewer, Action.ANSWER_QUESTIONS)) is not None:
            return denied
        rfp = await self.ground.owned_rfp(viewer, rfp_id)
        if rfp is None:
            return not_found(("input", "rfpId"), "RFP")
        invalid = text_error(question, ("input", "question")) or text_error(answer, ("input", "answer"))
        if invalid:
            return invalid
        if rfp.status is not RfpStatus.OPEN:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}", ("input", "rfpId"))
        now = self.ground.now()
        doc = new_clarification_document(rfp.id, None, question.strip(), answer.strip(), now)
        outcome = await self._insert(doc, viewer, "clarificationPublished", now)
        if outcome.value is not None:
            await record_rfp_event(rfp.id, "CLARIFICATION_PUBLISHED", now)
        return outcome

    async def answer_clarification(
        self, viewer: OrganizationRecord | None, clarification_id: str, answer: str
    ) -> Outcome[ClarificationRecord]:
        if (denied := self.ground.denied(viewer, Action.ANSWER_QUESTIONS)) is not None:
            return denied
        return await self._settle(viewer, clarification_id, answer, ClarificationStatus.ANSWERED)

    async def decline_clarification(
        self, viewer: OrganizationRecord | None, clarification_id: str, reason: str
    ) -> Outcome[ClarificationRecord]:
        if (denied := self.ground.denied(viewer, Action.ANSWER_QUESTIONS)) is not None:
            return denied
        return await self._settle(viewer, clarification_id, reason, ClarificationStatus.DECLINED)

    async def _insert(
        self, doc: Document, viewer: OrganizationRecord | None, action: str, now: datetime
    ) -> Outcome[ClarificationRecord]:
        """Inserts a question or published clarification, with its audit, while the RFP is open."""
        rfp_open: Document = {
            "_id": doc["rfpId"],
            "status": RfpStatus.OPEN.value,
            "submissionDeadline": {"$gt": now},
        }

        async def work(session: AsyncClientSession) -> None:
            # Re-checked in the write: a close or cancel that committed meanwhile refuses the question.
            if await self.store.rfps.count_documents(rfp_open, session=session) == 0:
                raise Aborted(changed_meanwhile("RFP"))
            await self.store.clarifications.insert_one(doc, session=session)
            fields = ["question"] if doc["answer"] is None else ["question", "answer"]
            await self.ground.audit(session, doc["_id"], viewer, action, fields)
            await self.ground.audit(session, doc["rfpId"], viewer, action, ["clarifications"])

        try:
            await self.ground.in_transaction(work)
        except Aborted as aborted:
            return Outcome(errors=aborted.outcome.errors)
        return Outcome(clarification_record(doc))

    async def _settle(
        self,
        viewer: OrganizationRecord | None,
        clarification_id: str,
        text: str,
        status: ClarificationStatus,
    ) -> Outcome[ClarificationRecord]:
        found = await self._owned(viewer, clarification_id)
        if found is None:
            return not_found(("input", "clarificationId"), "clarification")
        clarification, rfp = found
        field = ("input", "answer" if status is ClarificationStatus.ANSWERED else "reason")
        invalid = text_error(text, field)
        if invalid:
            return invalid
        if clarification.status is not ClarificationStatus.ASKED:
            return Outcome.fail(
                ErrorCode.INVALID_STATE,
                f"the clarification is {clarification.status.value}",
                ("input", "clarificationId"),
            )
        if rfp.status in (RfpStatus.DRAFT, RfpStatus.CANCELLED):
            return Outcome.fail(ErrorCode.INVALID_STATE, f"the RFP is {rfp.status.value}")
        now = self.ground.now()
        action = (
            "clarificationAnswered" if status is ClarificationStatus.ANSWERED else "clarificationDeclined"
        )

        async def work(session: AsyncClientSession) -> Document:
            # Only a question still ASKED is settled: two concurrent answers cannot both land.
            doc = await self.store.clarifications.find_one_and_update(
                {"_id": ObjectId(clarification.id), "status": ClarificationStatus.ASKED.value},
                {"$set": {"status": status.value, "answer": text.strip(), "answeredAt": now}},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if doc is None:
                raise Aborted(changed_meanwhile("clarification"))
            await self.ground.audit(session, doc["_id"], viewer, action, ["status", "answer"])
            await self.ground.audit(session, doc["rfpId"], viewer, action, ["clarifications"])
            return doc

        try:
            doc = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        if status is ClarificationStatus.ANSWERED:
            await record_rfp_event(rfp.id, "CLARIFICATION_PUBLISHED", now)
        return Outcome(clarification_record(doc))

    async def _owned(
        self, viewer: OrganizationRecord | None, clarification_id: str
    ) -> tuple[ClarificationRecord, RfpRecord] | None:
        """A clarification of one of the viewer's RFPs, with the RFP; None for anyone else."""
        oid = parse_object_id(clarification_id)
        doc = await self.store.clarifications.find_one({"_id": oid}) if oid else None
        rfp_doc = await self.store.rfps.find_one({"_id": doc["rfpId"]}) if doc else None
        if doc is None or rfp_doc is None:
            return None
        rfp = rfp_record(rfp_doc, self.ground.now())
        return (clarification_record(doc), rfp) if visibility.owns_rfp(viewer, rfp) else None

    # ------------------------------------------------------------------------------ reads

    async def list_clarifications(
        self, viewer: OrganizationRecord | None, rfp: RfpRecord, first: int, after: str | None
    ) -> Page[ClarificationRecord]:
        if viewer is None or not visibility.sees_rfp(viewer, rfp):
            return Page.empty()
        query: Document = {"rfpId": ObjectId(rfp.id)}
        window, key = PageWindow(first, after), SortKey("_id")
        if visibility.owns_rfp(viewer, rfp):
            return await keyset_page(
                self.store.clarifications, query, window, "clarification", key, clarification_record
            )
        asker = ObjectId(viewer.id)

        def sees(doc: Document) -> bool:
            # visibility.sees_clarification on the stored fields (tested against it, row by row):
            # as an `$or` beside rfpId the filter was planned as a collection scan.
            return doc["status"] == ClarificationStatus.ANSWERED.value or doc.get("askerId") == asker

        return await page_of_keys(
            self.store.clarifications,
            query,
            window,
            "clarification",
            key,
            clarification_record,
            sees,
            ("status", "askerId"),
        )

    async def published_clarifications(self, rfp_id: str) -> list[ClarificationRecord]:
        """Every answered clarification of an RFP, oldest first (the public record: OCDS enquiries)."""
        # The RFP's clarifications through its by_rfp index, the answered ones kept here: a status
        # beside rfpId planned as a scan, and a hint makes SecantusDB walk the whole index.
        found = self.store.clarifications.find({"rfpId": ObjectId(rfp_id)}).sort("_id", 1)
        answered = ClarificationStatus.ANSWERED.value
        return [clarification_record(doc) async for doc in found if doc["status"] == answered]

    async def get_clarification(
        self, viewer: OrganizationRecord | None, clarification_id: str
    ) -> ClarificationRecord | None:
        """One clarification, when visibility.sees_clarification lets the viewer see it."""
        oid = parse_object_id(clarification_id)
        doc = await self.store.clarifications.find_one({"_id": oid}) if oid else None
        rfp = await self.ground.get_rfp(viewer, str(doc["rfpId"])) if doc else None
        if doc is None or rfp is None:
            return None
        found = clarification_record(doc)
        return found if visibility.sees_clarification(viewer, rfp, found) else None

    def asked_by(self, viewer: OrganizationRecord | None, clarification: ClarificationRecord) -> bool:
        return visibility.sees_asker(viewer, clarification)

    async def asker_for(
        self, viewer: OrganizationRecord | None, clarification: ClarificationRecord
    ) -> str | None:
        """The asker's id for the RFP's buyer only: vendors see questions anonymized."""
        if clarification.asker_id is None or viewer is None:
            return None
        rfp = await self.ground.get_rfp(viewer, clarification.rfp_id)
        return clarification.asker_id if rfp is not None and visibility.owns_rfp(viewer, rfp) else None
