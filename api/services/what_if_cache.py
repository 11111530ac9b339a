"""The compact per-RFP vector of criteria that what-if weights and rankStability rank, cached.

A what-if page at 20,000 proposals must not read 20,000 entries per request (issue 14). Each RFP's
vector (per entry: id, gates, criterion values, submission time; no keys, no documents) is read once
and kept with the RFP's ranking version (`rankingDigest.version`, which every write that changes an
entry bumps in its own transaction), per ranking field. A request that reads a newer version brings
the vector up to date from the RFP's change log (`rankingDigest.changes`: per version, the ids of
the entries that write changed, api/store/rankings.py): it reads only those entries, by id, and
builds a new vector from the old one (the changed entries replaced, the deleted ones dropped, each
cached what-if order patched by binary insertion). Only a cold cache, a vector further behind than
the log, or a version the log does not cover (seeding, rescoring) reads every entry.

The orders and stability figures computed from a vector are kept beside it, per weights.
Everything lives in this process's memory, bounded by LRU sizes. A vector is never changed once
built: a request that holds one keeps a whole one while another replaces it (one event loop), and
a vector replaces the cached one only if its version is newer, so concurrent updates never move
the cache back. Entries read after the version they are labelled with may be newer than it; the
next update from that version reads them again by id, so no change is ever lost."""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bson import ObjectId

from api.store.document import Document
from api.store.rankings import entry_order
from market.records import RfpRecord
from scoring.model import Weights

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


@dataclass(frozen=True)
class Order:
    """The vector's entries in the order of one set of what-if weights (kept to patch it)."""

    weights: Weights
    entries: list[Document]


@dataclass
class RfpVector:
    """One RFP's entries at (at least) one ranking version, and what has been derived from them."""

    entries: list[Document]
    version: int = -1
    orders: Lru[str, Order] = field(default_factory=lambda: Lru(MAX_ORDERS))
    stability: Lru[str, float | None] = field(default_factory=lambda: Lru(MAX_ORDERS))

    def patched(
        self, version: int, changed: Iterable[ObjectId], found: Mapping[ObjectId, Document]
    ) -> RfpVector:
        """A new vector at `version`: the `changed` entries as `found` (absent: deleted), the
        cached orders patched (no full sort again); stability figures are computed afresh."""
        gone = set(changed)
        entries = [entry for entry in self.entries if entry["_id"] not in gone]
        entries += [found[oid] for oid in gone if oid in found]
        vector = RfpVector(entries, version)
        for digest, order in self.orders.items.items():
            kept = [entry for entry in order.entries if entry["_id"] not in gone]
            for oid in gone:
                if oid in found:
                    bisect.insort(kept, found[oid], key=lambda entry: entry_order(entry, order.weights))
            vector.orders.put(digest, Order(order.weights, kept))
        return vector


def version_of(rfp: RfpRecord) -> int:
    digest = rfp.ranking_digest
    return digest.version if digest else -1


# Reads the RFP's whole vector: (the version read before the entries, the entries).
LoadAll = Callable[[], Awaitable[tuple[int, list[Document]]]]
# Reads what changed after a version: (the version now, changed ids, those still live by id), or
# None when the change log does not reach back that far.
LoadChanges = Callable[[int], Awaitable[tuple[int, list[ObjectId], dict[ObjectId, Document]] | None]]


class WhatIfCache:
    def __init__(self) -> None:
        self.vectors: Lru[tuple[str, str], RfpVector] = Lru(MAX_RFPS)
        self.loads = 0  # how many whole vectors were read from the database (tests pin the sharing)
        self.patches = 0  # how many were brought up to date from the change log

    async def vector(self, rfp: RfpRecord, load_all: LoadAll, load_changes: LoadChanges) -> RfpVector:
        # The rank field and the score slot: a re-weighting's or an addendum's switch changes them.
        key = (rfp.id, f"{rfp.rank_field}:{rfp.score_slot}")
        wanted = version_of(rfp)
        cached = self.vectors.get(key)
        if cached is not None and wanted >= 0 and cached.version >= wanted:
            return cached  # as new as what this request read of the RFP, or newer
        fresh = None
        if cached is not None and cached.version >= 0:
            changes = await load_changes(cached.version)
            if changes is not None:
                self.patches += 1
                fresh = cached.patched(*changes)
        if fresh is None:  # cold, too far behind, or a version the log does not cover
            self.loads += 1
            version, entries = await load_all()
            fresh = RfpVector(entries, version)
        latest = self.vectors.get(key)  # another request may have updated it meanwhile
        if latest is None or fresh.version > latest.version or fresh.version < 0:
            self.vectors.put(key, fresh)
        return fresh
