"""MongoDB access: the client, the collections, their indexes, and documents <-> records."""

from __future__ import annotations

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
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from schema.records import (
    AuditRecord,
    OrganizationKind,
    OrganizationRecord,
    ProposalRecord,
    ProposalStatus,
    RankingDigest,
    RfpRecord,
    RfpStatus,
    ServiceCategory,
)
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


def connect(uri: str, listeners: Sequence[monitoring.CommandListener] = ()) -> AsyncMongoClient[Document]:
    # retryWrites is the driver default; stated so nobody turns it off by accident.
    return AsyncMongoClient(
        uri, tz_aware=True, retryWrites=True, serverSelectionTimeoutMS=5000, event_listeners=list(listeners)
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
            write_concern=WriteConcern("majority"),
            read_concern=ReadConcern("majority"),
        )
        self.organizations: AsyncCollection[Document] = self.db["organizations"]
        self.rfps: AsyncCollection[Document] = self.db["rfps"]
        self.proposals: AsyncCollection[Document] = self.db["proposals"]
        self.rate_limits: AsyncCollection[Document] = self.db["rate_limits"]
        # One small entry per live proposal: what ranked pages read (see api/ranking.py).
        self.rankings: AsyncCollection[Document] = self.db["rankings"]

    async def ensure_indexes(self) -> None:
        """Idempotent: creating an index that exists with the same spec is a no-op."""
        # Keys live in their organization's document; the hash finds the caller on every request.
        await self.organizations.create_index([("apiKeys.hash", ASCENDING)], unique=True, name="api_key_hash")
        await self.organizations.create_index([("demoKey", ASCENDING)], sparse=True, name="demo_key")
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

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
            return True
        except Exception:  # any failure means "not ready"; /readyz reports it as 503
            return False


# ---------------------------------------------------------------------------- documents -> records


def _audit(doc: Document) -> tuple[AuditRecord, ...]:
    return tuple(
        AuditRecord(
            at=event["at"],
            actor_id=str(event["actorId"]) if event.get("actorId") else None,
            action=event["action"],
            changed_fields=tuple(event.get("changedFields", ())),
        )
        for event in doc.get("audit", ())
    )


def organization_record(doc: Document) -> OrganizationRecord:
    return OrganizationRecord(
        id=str(doc["_id"]), name=doc["name"], kind=OrganizationKind(doc["kind"]), created_at=doc["createdAt"]
    )


def effective_rfp_status(stored: RfpStatus, deadline: datetime, now: datetime) -> RfpStatus:
    # No timer closes RFPs: an OPEN RFP past its deadline simply reads CLOSED everywhere.
    if stored is RfpStatus.OPEN and now >= deadline:
        return RfpStatus.CLOSED
    return stored


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
        audit=_audit(doc),
        ranking_digest=ranking_digest_of(doc.get("rankingDigest")),
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
        audit=_audit(doc),
    )
