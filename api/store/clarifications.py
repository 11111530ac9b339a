"""The `clarifications` collection: one document per question on an RFP (or per clarification the
buyer published unasked), and its record."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from api.store.document import Document
from market.records import ClarificationRecord
from market.vocabulary import ClarificationStatus


def new_clarification_document(
    rfp_id: str, asker_id: str | None, question: str, answer: str | None, now: datetime
) -> Document:
    """A question as asked (ASKED), or, with an answer, a clarification published at once (ANSWERED)."""
    status = ClarificationStatus.ASKED if answer is None else ClarificationStatus.ANSWERED
    return {
        "_id": ObjectId(),
        "rfpId": ObjectId(rfp_id),
        "askerId": ObjectId(asker_id) if asker_id else None,
        "question": question,
        "answer": answer,
        "status": status.value,
        "askedAt": now,
        "answeredAt": None if answer is None else now,
    }


def clarification_record(doc: Document) -> ClarificationRecord:
    asker = doc.get("askerId")
    return ClarificationRecord(
        id=str(doc["_id"]),
        rfp_id=str(doc["rfpId"]),
        asker_id=str(asker) if asker else None,
        question=doc["question"],
        answer=doc.get("answer"),
        status=ClarificationStatus(doc["status"]),
        asked_at=doc["askedAt"],
        answered_at=doc.get("answeredAt"),
    )
