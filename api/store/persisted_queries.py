"""The `persisted_queries` collection: automatic persisted queries (Apollo's APQ), shared by every API
instance. One document per query, keyed by the SHA-256 of its text; unused ones expire."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING

from api.store.database import Store
from api.store.document import Document

COLLECTION = "persisted_queries"
# A query not registered again for this long is dropped; a client that still sends its hash gets
# PERSISTED_QUERY_NOT_FOUND and registers it again, as the protocol expects.
RETENTION = timedelta(days=7)


def new_persisted_query(sha256_hash: str, query: str, now: datetime) -> Document:
    return {"_id": sha256_hash, "query": query, "expiresAt": now + RETENTION}


class PersistedQueries:
    def __init__(self, store: Store) -> None:
        self.collection = store.db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("expiresAt", ASCENDING)], expireAfterSeconds=0, name="expiry")

    async def query_of(self, sha256_hash: str) -> str | None:
        doc = await self.collection.find_one({"_id": sha256_hash}, {"query": 1})
        return str(doc["query"]) if doc else None

    async def remember(self, sha256_hash: str, query: str, now: datetime) -> None:
        """Idempotent: the same hash always names the same text, so a second instance's write is a no-op
        but for the retention it renews."""
        doc = new_persisted_query(sha256_hash, query, now)
        await self.collection.update_one(
            {"_id": sha256_hash},
            {"$set": {"expiresAt": doc["expiresAt"]}, "$setOnInsert": {"query": query}},
            upsert=True,
        )
