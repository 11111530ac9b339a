"""MongoDB access: the client, its codecs and concerns, the collections and their indexes. Each
collection's documents and records live beside it: organizations.py, rfps.py, proposals.py,
rankings.py, audit.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
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

from api.store.audit import legacy_audit_event
from api.store.document import Document

# Names of the one-off migrations recorded in `migrations` (Store.run_once).
EMBEDDED_AUDIT = "embeddedAudit"
DIGEST_FIGURES = "digestFigures"
ONE_OFF_MIGRATIONS = (EMBEDDED_AUDIT, DIGEST_FIGURES)


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
        # Questions on RFPs and their answers (api/store/clarifications.py).
        self.clarifications: AsyncCollection[Document] = self.db["clarifications"]
        # Evaluator scores and the lead's consensus scores (api/store/evaluations.py).
        self.evaluations: AsyncCollection[Document] = self.db["evaluations"]
        self.consensus: AsyncCollection[Document] = self.db["consensus"]
        # One marker per one-off data migration, by name: start-up skips what is recorded done
        # instead of reading whole collections again at every start (issue 14).
        self.migrations: AsyncCollection[Document] = self.db["migrations"]

    async def ensure_indexes(self) -> None:
        """Idempotent: creating an index that exists with the same spec is a no-op."""
        # A database this creates holds nothing written before the one-off migrations: they are
        # recorded as done (a first start on a freshly seeded marketplace walked every proposal).
        fresh = "rfps" not in await self.db.list_collection_names()
        # Keys live in their organization's document; the hash finds the caller on every request.
        await self.organizations.create_index([("apiKeys.hash", ASCENDING)], unique=True, name="api_key_hash")
        await self.organizations.create_index([("demoKey", ASCENDING)], sparse=True, name="demo_key")
        # A member's key (api/store/members.py): found by its hash when no organization key matched.
        await self.organizations.create_index([("members.keyHash", ASCENDING)], name="member_key_hash")
        # The keys a member created itself (issue 17): found by hash when neither index above matched.
        await self.organizations.create_index([("members.keys.hash", ASCENDING)], name="member_keys_hash")
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
        # The market list narrowed to one category: a flat filter (status, category, deadline range)
        # is planned on the index whose equality prefix it fills (issue 14; see rfps.flat_listing_query).
        await self.rfps.create_index(
            [
                ("status", ASCENDING),
                ("category", ASCENDING),
                ("submissionDeadline", ASCENDING),
                ("_id", DESCENDING),
            ],
            name="by_status_category",
        )
        # A buyer's dashboard filtered by status: the database plans a filter only with an index that
        # has every equality field, so by_buyer alone left `rfps(status: ...)` a scan (issue 14).
        await self.rfps.create_index(
            [
                ("buyerId", ASCENDING),
                ("status", ASCENDING),
                ("submissionDeadline", ASCENDING),
                ("_id", DESCENDING),
            ],
            name="by_buyer_status",
        )
        # A buyer's own list narrowed to a category, with or without a status: the flat filter's
        # equality fields (buyerId, category, status) fill this prefix, where by_buyer_status lacks
        # the category and the planner fell back to a scan.
        await self.rfps.create_index(
            [
                ("buyerId", ASCENDING),
                ("category", ASCENDING),
                ("status", ASCENDING),
                ("submissionDeadline", ASCENDING),
                ("_id", DESCENDING),
            ],
            name="by_buyer_category",
        )
        await self.proposals.create_index(
            [("rfpId", ASCENDING), ("vendorId", ASCENDING)], unique=True, name="one_per_vendor"
        )
        await self.proposals.create_index([("rfpId", ASCENDING), ("_id", ASCENDING)], name="by_rfp")
        # A vendor's own proposals across RFPs (viewer.proposals), newest submission first.
        await self.proposals.create_index(
            [("vendorId", ASCENDING), ("submittedAt", DESCENDING), ("_id", DESCENDING)], name="by_vendor"
        )
        # A vendor's own proposals of some statuses (viewer.proposals(filter: {status})): a flat
        # filter, vendor then an `$in` of statuses, planned here instead of a hinted walk (issue 14).
        await self.proposals.create_index(
            [
                ("vendorId", ASCENDING),
                ("status", ASCENDING),
                ("submittedAt", DESCENDING),
                ("_id", DESCENDING),
            ],
            name="by_vendor_status",
        )
        # The default ranking order, read straight from the stored totals (ranking.RANK_SORT).
        await self.rankings.create_index([("key", ASCENDING)], unique=True, name="ranking")
        await self.rankings.create_index(
            [("rfpId", ASCENDING), ("cost", ASCENDING), ("_id", ASCENDING)], name="cost"
        )
        # The cost of score slot 1 (an entry's "b"), live once an addendum's rescoring switched to it.
        await self.rankings.create_index(
            [("rfpId", ASCENDING), ("b.cost", ASCENDING), ("_id", ASCENDING)], name="cost_b"
        )
        # The other ranking key field, which re-weighting writes before the RFP switches to it
        # (sparse: entries written before it have none until their RFP's first re-weighting).
        await self.rankings.create_index([("keyB", ASCENDING)], unique=True, sparse=True, name="ranking_b")
        # An RFP's entries in batches, for re-weighting.
        await self.rankings.create_index([("rfpId", ASCENDING), ("_id", ASCENDING)], name="by_rfp")
        # A vendor's own entries (Rfp.proposalCount as a vendor sees it, for a whole list of RFPs):
        # without it that read scanned every entry of the marketplace (issue 14).
        await self.rankings.create_index([("vendorId", ASCENDING), ("rfpId", ASCENDING)], name="by_vendor")
        # Pages of a subject's events in time order, and the revisions of the last hour.
        await self.audit_events.create_index(
            [("subjectId", ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)], name="by_subject"
        )
        await self.idempotency.create_index([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiry")
        # An RFP's clarifications in the order they were asked (Rfp.clarifications pages).
        await self.clarifications.create_index([("rfpId", ASCENDING), ("_id", ASCENDING)], name="by_rfp")
        # One score per evaluator, proposal and criterion; one consensus per proposal and criterion.
        await self.evaluations.create_index(
            [("proposalId", ASCENDING), ("criterionId", ASCENDING), ("memberId", ASCENDING)],
            unique=True,
            name="evaluation",
        )
        await self.evaluations.create_index([("rfpId", ASCENDING)], name="by_rfp")
        await self.consensus.create_index(
            [("proposalId", ASCENDING), ("criterionId", ASCENDING)], unique=True, name="consensus"
        )
        await self.consensus.create_index([("rfpId", ASCENDING)], name="by_rfp")
        # Outdated scores found by a range on these (api/services/rescore.py outdated_probes), so a
        # start-up examines only the outdated documents, not every proposal.
        for field in ("score", "scoreB"):
            await self.proposals.create_index(
                [(f"{field}.scoring_version", ASCENDING)], name=f"{field}_version"
            )
        if fresh:
            for name in ONE_OFF_MIGRATIONS:
                await self._mark_done(name)
        await self.run_once(EMBEDDED_AUDIT, self.migrate_embedded_audit)

    async def run_once(self, name: str, migration: Callable[[], Awaitable[object]]) -> bool:
        """Runs a one-off migration unless its marker says it is done; the marker is written only
        after it completed (a crash midway runs it again: each migration is idempotent). True if run."""
        if await self.migrations.find_one({"_id": name}, {"_id": 1}) is not None:
            return False
        await migration()
        await self._mark_done(name)
        return True

    async def _mark_done(self, name: str) -> None:
        await self.migrations.update_one({"_id": name}, {"$set": {"doneAt": datetime.now(UTC)}}, upsert=True)

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
