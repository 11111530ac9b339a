"""The compact per-RFP vector of criteria that what-if weights and rankStability rank, cached.

A what-if page at 20,000 proposals must not read 20,000 entries per request (issue 14). Each RFP's
vector (per entry: id, gates, criterion values, submission time; no keys, no documents) is read once
and kept under the RFP's ranking version (`rankingDigest.version`, which every write that changes an
entry bumps in its own transaction) and ranking field: a request that reads a newer version misses
and reloads, so a cached vector is never served after a write this request can see, on any
instance. The what-if orders and stability figures computed from a vector are kept beside it, per
weights. Everything lives in this process's memory, bounded by LRU sizes, and is read-only once
built, so concurrent requests share it safely (one event loop; a race costs a duplicate load)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from api.store.document import Document
from market.records import RfpRecord

K = TypeVar("K")
V = TypeVar("V")

# RFPs whose vectors stay in memory (20,000 entries take a few MB), and orders kept per vector.
MAX_RFPS = 8
MAX_ORDERS = 16
VECTOR_FIELDS = {"_id": 1, "eligible": 1, "meets": 1, "values": 1, "submittedAt": 1, "b": 1}


class Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


@dataclass
class RfpVector:
    """One RFP's entries at one ranking version, and what has been derived from them."""

    entries: list[Document]
    orders: Lru[str, list[Document]] = field(default_factory=lambda: Lru(MAX_ORDERS))
    stability: Lru[str, float | None] = field(default_factory=lambda: Lru(MAX_ORDERS))


def version_of(rfp: RfpRecord) -> tuple[str, int, str]:
    digest = rfp.ranking_digest
    # The score slot too: an addendum's switch changes it (with the rank field and the version).
    return (rfp.id, digest.version if digest else -1, f"{rfp.rank_field}:{rfp.score_slot}")


class WhatIfCache:
    def __init__(self) -> None:
        self.vectors: Lru[tuple[str, int, str], RfpVector] = Lru(MAX_RFPS)
        self.loads = 0  # how many vectors were read from the database (tests pin the sharing)

    async def vector(self, rfp: RfpRecord, load: Callable[[], Awaitable[list[Document]]]) -> RfpVector:
        key = version_of(rfp)
        found = self.vectors.get(key)
        if found is None or key[1] < 0:  # no version yet (before any write): never trusted
            self.loads += 1
            found = self.vectors.put(key, RfpVector(await load()))
        return found
