"""The `webhooks` and `webhook_deliveries` collections: documents, records and indexes.

A delivery's `_id` is "<audit event id>:<webhook id>": the same event reaching the dispatcher of
two instances (or twice after a resume) is one delivery, and receivers de-duplicate by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from api.store.database import Store
from api.store.document import Document
from market.webhooks import DeliveryRecord, WebhookRecord

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"


def webhooks(store: Store) -> AsyncCollection[Document]:
    return store.db["webhooks"]


def deliveries(store: Store) -> AsyncCollection[Document]:
    return store.db["webhook_deliveries"]


async def ensure_webhook_indexes(store: Store) -> None:
    await webhooks(store).create_index([("organizationId", ASCENDING)], name="by_organization")
    # The webhooks subscribed to an event that has no single organization (proposal.rescored).
    await webhooks(store).create_index([("events", ASCENDING)], name="by_event")
    await deliveries(store).create_index([("status", ASCENDING), ("nextAttemptAt", ASCENDING)], name="due")
    await deliveries(store).create_index(
        [("webhookId", ASCENDING), ("createdAt", ASCENDING)], name="by_webhook"
    )


def recorder(store: Store) -> AsyncCollection[Document]:
    """One document: where the webhook recorders' change stream resumes, shared by every instance."""
    return store.db["webhook_recorder"]


RECORDER_ID = "resumeToken"


async def load_resume_token(store: Store) -> Mapping[str, Any] | None:
    doc = await recorder(store).find_one({"_id": RECORDER_ID})
    return None if doc is None else doc.get("token")


async def save_resume_token(store: Store, token: Mapping[str, Any] | None) -> None:
    """The stream's position after the last recorded event. Instances write it in turn: one a little
    behind may set it back, which only records an event again (no second delivery)."""
    await recorder(store).update_one({"_id": RECORDER_ID}, {"$set": {"token": token}}, upsert=True)


def new_webhook_document(
    organization_id: str, url: str, events: list[str], secret: str, now: datetime
) -> Document:
    return {
        "_id": ObjectId(),
        "organizationId": ObjectId(organization_id),
        "url": url,
        "events": events,
        "secret": secret,  # needed to sign: kept, never shown again after create or rotate
        "createdAt": now,
    }


def webhook_record(doc: Document) -> WebhookRecord:
    return WebhookRecord(
        id=str(doc["_id"]),
        organization_id=str(doc["organizationId"]),
        url=doc["url"],
        events=tuple(doc["events"]),
        created_at=doc["createdAt"],
    )


def new_delivery_document(
    event_id: ObjectId, webhook: Document, event: str, body: Document, now: datetime, part: int = 0
) -> Document:
    # Derived from the audit event, so two instances (or a resumed stream) record one delivery.
    source = f"{event_id}" if part == 0 else f"{event_id}.{part}"
    return {
        "_id": f"{source}:{webhook['_id']}",
        "webhookId": webhook["_id"],
        "organizationId": webhook["organizationId"],
        "event": event,
        "body": body,
        "status": PENDING,
        "attempts": 0,
        "nextAttemptAt": now,
        "lastStatusCode": None,
        "createdAt": now,
        "deliveredAt": None,
    }


def delivery_record(doc: Document) -> DeliveryRecord:
    return DeliveryRecord(
        id=doc["_id"],
        webhook_id=str(doc["webhookId"]),
        event=doc["event"],
        status=doc["status"],
        attempts=doc["attempts"],
        last_status_code=doc.get("lastStatusCode"),
        created_at=doc["createdAt"],
        delivered_at=doc.get("deliveredAt"),
    )
