"""The `rfps` collection: one constructor of an RFP document, and its record (with the ranking
digest the RFP keeps)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bson import ObjectId

from api.store.document import Document
from api.store.evaluations import evaluation_fields
from market.lifecycle import effective_rfp_status
from market.records import AddendumRecord, RankingDigest, ReweighingRecord, RfpRecord
from market.vocabulary import RfpStatus, ServiceCategory
from scoring.model import RfpContext, Weights


def new_rfp_document(
    buyer_id: str,
    title: str,
    scope: str,
    category: ServiceCategory,
    sealed: bool,
    budget_disclosed: bool,
    submission_deadline: datetime,
    context: RfpContext,
    now: datetime,
    enquiry_deadline: datetime | None = None,
) -> Document:
    """A new RFP as stored: a DRAFT with no proposals yet."""
    return {
        "enquiryDeadline": enquiry_deadline.astimezone(UTC) if enquiry_deadline else None,
        "_id": ObjectId(),
        "buyerId": ObjectId(buyer_id),
        "title": title,
        "scope": scope,
        "category": category.value,
        "status": RfpStatus.DRAFT.value,
        "sealed": sealed,
        "budgetDisclosed": budget_disclosed,
        "submissionDeadline": submission_deadline.astimezone(UTC),
        "createdAt": now,
        "updatedAt": now,
        "context": context.model_dump(mode="python"),
        "proposalCount": 0,
    }


def rfp_record(doc: Document, now: datetime) -> RfpRecord:
    return RfpRecord(
        id=str(doc["_id"]),
        buyer_id=str(doc["buyerId"]),
        title=doc["title"],
        scope=doc["scope"],
        category=ServiceCategory(doc["category"]),
        status=effective_rfp_status(RfpStatus(doc["status"]), doc["submissionDeadline"], now),
        sealed=doc["sealed"],
        submission_deadline=doc["submissionDeadline"],
        created_at=doc["createdAt"],
        context=RfpContext.model_validate(doc["context"]),
        proposal_count=doc.get("proposalCount", 0),
        updated_at=doc.get("updatedAt", doc["createdAt"]),
        ranking_digest=ranking_digest_of(doc.get("rankingDigest")),
        budget_disclosed=doc.get("budgetDisclosed", False),
        enquiry_deadline=doc.get("enquiryDeadline"),
        addenda=tuple(addendum_record(entry) for entry in doc.get("addenda", ())),
        debriefs_published=doc.get("debriefsPublished", True),
        award_published=doc.get("awardPublished", False),
        debrief_comment=doc.get("debriefComment"),
        rank_field=doc.get("rankField", "key"),
        reweighing=reweighing_of(doc.get("reweighing")),
        score_slot=doc.get("scoreSlot", 0),
        **evaluation_fields(doc),
    )


def reweighing_of(data: Document | None) -> ReweighingRecord | None:
    if not data:
        return None
    return ReweighingRecord(
        weights=Weights.model_validate(data["weights"]),
        done=data["done"],
        total=data["total"],
        started_at=data["startedAt"],
        at=data["at"],
        context=RfpContext.model_validate(data["context"]) if data.get("context") else None,
        confirm=data.get("confirm", False),
        addendum=data["addendum"]["number"] if data.get("addendum") else None,
    )


def new_addendum_entry(number: int, summary: str, at: datetime, changed_fields: Sequence[str]) -> Document:
    """One addendum as the RFP keeps it (a short list: each is a buyer's deliberate amendment)."""
    return {"number": number, "summary": summary, "at": at, "changedFields": list(changed_fields)}


def addendum_record(entry: Document) -> AddendumRecord:
    return AddendumRecord(
        number=entry["number"],
        summary=entry["summary"],
        at=entry["at"],
        changed_fields=tuple(entry.get("changedFields", ())),
    )


def ranking_digest_of(data: Document | None) -> RankingDigest | None:
    if not data:
        return None
    # A digest written before issue 14 has no "total": it reads as none flagged until the start-up
    # migration (api.store.rankings.migrate_digests) recomputes it.
    return RankingDigest(
        count=data.get("count", 0),  # fences refreshed before any write have no figures yet
        total=data.get("total"),
        flagged_next=tuple((row[0], row[1]) for row in data.get("next", ())),
        fences=tuple(data.get("fences", ())),
        version=data.get("version", -1),
    )
