"""The `proposals` collection: one constructor of a submitted proposal document, and its record."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from api.store.document import Document
from market.records import ProposalRecord
from market.vocabulary import ProposalStatus
from scoring.model import ProposalScore, ProposalTerms


def new_proposal_document(
    rfp_id: str, vendor_id: str, terms: ProposalTerms, score: ProposalScore, now: datetime
) -> Document:
    """A submitted proposal as stored: terms, the score snapshot, its ranking key, the first event."""
    return {
        "_id": ObjectId(),
        "rfpId": ObjectId(rfp_id),
        "vendorId": ObjectId(vendor_id),
        "status": ProposalStatus.SUBMITTED.value,
        "version": 1,
        "submittedAt": now,
        "updatedAt": now,
        "terms": terms.model_dump(mode="python"),
        "score": score.model_dump(mode="python"),
    }


# The proposal's stored score and confirmation flag per score slot (RfpRecord.score_slot).
SCORE_FIELDS = ("score", "scoreB")
CONFIRM_FIELDS = ("needsConfirmation", "needsConfirmationB")


def proposal_record(doc: Document) -> ProposalRecord:
    score = doc.get("score")
    score_b = doc.get("scoreB")
    return ProposalRecord(
        id=str(doc["_id"]),
        rfp_id=str(doc["rfpId"]),
        vendor_id=str(doc["vendorId"]),
        status=ProposalStatus(doc["status"]),
        version=doc["version"],
        submitted_at=doc["submittedAt"],
        updated_at=doc["updatedAt"],
        terms=ProposalTerms.model_validate(doc["terms"]),
        score=ProposalScore.model_validate(score) if score else None,
        needs_confirmation=doc.get("needsConfirmation", False),
        score_b=ProposalScore.model_validate(score_b) if score_b else None,
        needs_confirmation_b=doc.get("needsConfirmationB", False),
    )
