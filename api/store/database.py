"""MongoDB access: the client, the collections, their indexes, and documents <-> records."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import ObjectId
from bson.codec_options import CodecOptions, TypeCodec, TypeRegistry
from bson.decimal128 import Decimal128
from bson.errors import InvalidId
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, monitoring
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from market.lifecycle import effective_rfp_status
from market.records import AuditRecord, ProposalRecord, RankingDigest, RfpRecord
from market.vocabulary import ProposalStatus, RfpStatus, ServiceCategory
from scoring.model import ProposalScore, ProposalTerms, RfpContext

Document = dict[str, Any]


class DecimalCodec(TypeCodec):
    """Money is Decimal in Python and Decimal128 in MongoDB: exact both ways."""

    python_type = Decimal
    bson_type = Decimal128

    def transform_python(self, value: Decimal) -> Decimal128:
        return Decimal128(value)

    def transform_bson(self, value: Decimal128) -> Decimal:
        return value.to_decimal()


def _encode_fallback(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__}")


CODEC_OPTIONS: CodecOptions[Document] = CodecOptions(
    tz_aware=True,
    type_registry=TypeRegistry([DecimalCodec()], fallback_encoder=_encode_fallback),
)


# Acknowledged means on a majority's journal: a crash right after the answer loses nothing.
WRITE_CONCERN = WriteConcern("majority", j=True)
READ_CONCERN = ReadConcern("majority")


def connect(uri: str, listeners: Sequence[monitoring.CommandListener] = ()) -> AsyncMongoClient[Document]:
    # retryWrites is the driver default; stated so nobody turns it off by accident. The concerns are
    # the client's too, not only the database's: transactions take theirs from the client.
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        retryWrites=True,
        serverSelectionTimeoutMS=5000,
        event_listeners=list(listeners),
        w=WRITE_CONCERN.document["w"],
        journal=True,
        readConcernLevel=READ_CONCERN.level,
    )


def parse_object_id(value: str) -> ObjectId | None:
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        return None


class Store:
    def __init__(self, client: AsyncMongoClient[Document], db_name: str) -> None:
        self.client = client
        self.db: AsyncDatabase[Document] = client.get_database(
            db_name,
            codec_options=CODEC_OPTIONS,
            write_concern=WRITE_CONCERN,
            read_concern=READ_CONCERN,
        )
        self.organizations: AsyncCollection[Document] = self.db["organizations"]
        self.rfps: AsyncCollection[Document] = self.db["rfps"]
        self.proposals: AsyncCollection[Document] = self.db["proposals"]
        self.rate_limits: AsyncCollection[Document] = self.db["rate_limits"]
        # One small entry per live proposal: what ranked pages read (see api/ranking.py).
        self.rankings: AsyncCollection[Document] = self.db["rankings"]
        # The audit trail: one small document per change, so no RFP or proposal grows with history.
        self.audit_events: AsyncCollection[Document] = self.db["audit_events"]
        # Answers to mutations sent with an idempotency key, for RETENTION (api/idempotency.py).
        self.idempotency: AsyncCollection[Document] = self.db["idempotency_keys"]

    async def ensure_indexes(self) -> None:
        """Idempotent: creating an index that exists with the same spec is a no-op."""
        # Keys live in their organization's document; the hash finds the caller on every request.
        await self.organizations.create_index([("apiKeys.hash", ASCENDING)], unique=True, name="api_key_hash")
        await self.organizations.create_index([("demoKey", ASCENDING)], sparse=True, name="demo_key")
        # Names as readers see them (api.services.inputs.name_key); sparse: organizations older than the key.
        await self.organizations.create_index(
            [("nameKey", ASCENDING)], unique=True, sparse=True, name="name_key"
        )
        await self.rfps.create_index([("demoKey", ASCENDING)], sparse=True, name="demo_key")
        await self.rate_limits.create_index([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiry")
        await self.rfps.create_index([("buyerId", ASCENDING), ("_id", DESCENDING)], name="by_buyer")
        await self.rfps.create_index(
            [("status", ASCENDING), ("submissionDeadline", ASCENDING), ("_id", DESCENDING)], name="by_status"
        )
        await self.proposals.create_index(
            [("rfpId", ASCENDING), ("vendorId", ASCENDING)], unique=True, name="one_per_vendor"
        )
        await self.proposals.create_index([("rfpId", ASCENDING), ("_id", ASCENDING)], name="by_rfp")
        # The default ranking order, read straight from the stored totals (ranking.RANK_SORT).
        await self.rankings.create_index([("key", ASCENDING)], unique=True, name="ranking")
        await self.rankings.create_index(
            [("rfpId", ASCENDING), ("cost", ASCENDING), ("_id", ASCENDING)], name="cost"
        )
        # Pages of a subject's events in time order, and the revisions of the last hour.
        await self.audit_events.create_index(
            [("subjectId", ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)], name="by_subject"
        )
        await self.idempotency.create_index([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiry")
        await self.migrate_embedded_audit()

    async def migrate_embedded_audit(self) -> None:
        """Moves audit trails still embedded in RFPs and proposals (data written before the
        `audit_events` collection) into it; one transaction per document, so a crash midway
        leaves every trail either embedded or moved, and a restart finishes the job."""
        for collection in (self.rfps, self.proposals):
            async for doc in collection.find({"audit": {"$exists": True}}, {"audit": 1}):
                await self._move_audit(collection, doc)

    async def _move_audit(self, collection: AsyncCollection[Document], doc: Document) -> None:
        events = [legacy_audit_event(doc["_id"], event) for event in doc["audit"]]

        async def move(session: AsyncClientSession) -> None:
            if events:
                await self.audit_events.insert_many(events, session=session)
            await collection.update_one({"_id": doc["_id"]}, {"$unset": {"audit": ""}}, session=session)

        async with self.client.start_session() as session:
            await session.with_transaction(move)

    async def ping(self, timeout_seconds: float | None = None) -> bool:
        try:
            async with asyncio.timeout(timeout_seconds):
                await self.client.admin.command("ping")
            return True
        except Exception:  # any failure (or no answer in time) means "not ready"; /readyz says 503
            return False


# ---------------------------------------------------------------------------- documents -> records


MAX_CHANGED_FIELDS = 50  # per audit event; the rest are counted in changedFieldsOmitted


def new_audit_event(
    subject_id: ObjectId, at: datetime, actor_id: str | None, action: str, fields: Sequence[str] = ()
) -> Document:
    return {
        "_id": ObjectId(),
        "subjectId": subject_id,
        "at": at,
        "actorId": ObjectId(actor_id) if actor_id else None,
        "action": action,
        "changedFields": list(fields[:MAX_CHANGED_FIELDS]),
        "changedFieldsOmitted": max(0, len(fields) - MAX_CHANGED_FIELDS),
    }


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
    )


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
    )


def ranking_digest_of(data: Document | None) -> RankingDigest | None:
    if not data:
        return None
    # A digest written before scoring version 2 has no "low": it reads as none flagged until the
    # start-up rescore refreshes it.
    return RankingDigest(
        count=data["count"],
        low=tuple((row[0], row[1], row[2]) for row in data.get("low", ())),
        fences=tuple(data.get("fences", ())),
    )


def proposal_record(doc: Document) -> ProposalRecord:
    score = doc.get("score")
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
    )
