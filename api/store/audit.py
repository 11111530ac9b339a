"""The `audit_events` collection: one document per change, and its record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId

from api.store.document import Document
from market.records import AuditRecord

MAX_CHANGED_FIELDS = 50  # per audit event; the rest are counted in changedFieldsOmitted


def new_audit_event(
    subject_id: ObjectId,
    at: datetime,
    actor_id: str | None,
    action: str,
    fields: Sequence[str] = (),
    member_id: str | None = None,
) -> Document:
    event = {
        "_id": ObjectId(),
        "subjectId": subject_id,
        "at": at,
        "actorId": ObjectId(actor_id) if actor_id else None,
        "action": action,
        "changedFields": list(fields[:MAX_CHANGED_FIELDS]),
        "changedFieldsOmitted": max(0, len(fields) - MAX_CHANGED_FIELDS),
    }
    if member_id is not None:
        event["actorMemberId"] = ObjectId(member_id)  # the member who acted, not only its organization
    return event


def legacy_audit_event(subject_id: ObjectId, event: Document) -> Document:
    actor = event.get("actorId")
    return new_audit_event(
        subject_id,
        event["at"],
        str(actor) if actor else None,
        event["action"],
        event.get("changedFields", ()),
    )


def audit_record(doc: Document) -> AuditRecord:
    return AuditRecord(
        at=doc["at"],
        actor_id=str(doc["actorId"]) if doc.get("actorId") else None,
        action=doc["action"],
        changed_fields=tuple(doc.get("changedFields", ())),
        changed_fields_omitted=doc.get("changedFieldsOmitted", 0),
        id=str(doc["_id"]),
        actor_member_id=str(doc["actorMemberId"]) if doc.get("actorMemberId") else None,
    )
