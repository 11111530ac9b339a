"""Marketplace-scale benchmark (issue 14): thousands of RFPs, 100,000+ proposals, hundreds of vendors.

    python -m bench.bench_market [--quick] [--rfps N] [--vendors N] [--proposals N] [--no-record]

Seeds through the store in bulk (not GraphQL): buyers, open RFPs, vendors that each bid on many RFPs
(one proposal per vendor and RFP), their ranking entries, and each RFP's count and digest. Documents
come from the store's builders (one RFP created through the service and copied; one proposal document
per scored offer, copied with its own ids), are written with insert_many, and each RFP's digest is
computed in memory (api.store.rankings.seeded_digest); a seeded digest is checked against
refresh_ranking_digest's. Then, against `rfpmarket serve` over HTTP, with the floor of each figure
measured in the same run (the floor fetches the documents the API returns, with the best raw query):

- a vendor's market listing with filters (status, category, order) and `proposalCount`, against a
  raw driver fetch of the same RFP documents and the vendor's own ranking entries;
- a vendor's own proposals across a page of RFPs, against the raw fetch of those proposals;
- a buyer's dashboard across its RFPs (counts, status filter), against the raw fetch of them;
- submitProposal, against a raw transaction of the same shape (bump the RFP, insert the proposal);
- mixed read/write load at 8, 24 and 64 users: throughput, p50/p95/p99, errors, and the RSS of both
  processes sampled every second. Each user is a session that pauses THINK_SECONDS (uniform 1-3 s)
  between a response and its next request, as load tools model users: a closed loop without pauses
  saturates the 2 cores, and then Little's law puts p95 near N/2 x the median whatever the service
  does. The 10x target compares with the single-client median of the same mix (one client in a
  closed loop: never queued, so its median is the service time). Capacity is recorded apart: 24
  clients in a closed loop, no pauses (req/s). The ranked and what-if pages read buyer 0's busiest
  RFP (a marketplace-sized ranking, never an empty page: an empty one counts as an error);
- memory (RSS and peak) of the API and of the database process at start and at the end.
Appends one block to bench/RESULTS.md with the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient

import scoring
from api.cli.synthetic import synthetic_proposal, synthetic_rfp
from api.embedded import EmbeddedDatabase, free_port
from api.services.market import open_market
from api.store.audit import new_audit_event
from api.store.database import CODEC_OPTIONS, Store
from api.store.document import Document
from api.store.organizations import key_entry, new_api_key, new_organization
from api.store.proposals import new_proposal_document
from api.store.rankings import DIGEST, ranking_entry, refresh_ranking_digest, seeded_digest
from bench.bench_api import (
    DB_NAME,
    HOST,
    READY_SECONDS,
    Figure,
    bearer,
    graphql_data,
    graphql_proposal,
    memory_kb,
    percentile,
    start_server,
    stop_server,
)
from market.vocabulary import OrganizationKind
from schema.common import to_global_id
from scoring.model import ProposalTerms

RESULTS = Path(__file__).with_name("RESULTS.md")
INSERT_BATCH = 2_000
STAMP = "%Y-%m-%d %H:%M UTC"
STARTUP_SECONDS = 900.0


@dataclass(frozen=True)
class MarketPlan:
    buyers: int
    rfps: int
    vendors: int
    proposals: int
    runs: int
    seconds_per_level: float
    large: int = 0  # proposals of one more RFP, for the single-huge-RFP targets (0: none)
    levels: tuple[int, ...] = (8, 24, 64)

    @classmethod
    def full(cls) -> MarketPlan:
        return cls(
            buyers=40, rfps=2_000, vendors=400, proposals=100_000, runs=15, seconds_per_level=45, large=20_000
        )

    @classmethod
    def quick(cls) -> MarketPlan:
        return cls(buyers=10, rfps=200, vendors=60, proposals=5_000, runs=5, seconds_per_level=8, large=2_000)


@dataclass
class Seeded:
    buyer_keys: list[str]
    buyer_ids: list[ObjectId]
    vendor_keys: list[str]
    vendor_ids: list[ObjectId]
    rfp_ids: list[ObjectId]
    seconds: float
    busiest_rfp: ObjectId  # buyer 0's RFP with the most proposals


# ------------------------------------------------------------------------------------------ seeding


async def seed_market(uri: str, plan: MarketPlan, rng: random.Random) -> Seeded:
    """Everything through the store in bulk; scores from a pool scored once (every synthetic RFP has
    the same terms, so a pool of scored offers stands for all of them)."""
    started = time.perf_counter()
    async with open_market(uri, DB_NAME) as market:
        store, now = market.store, market.now()
        buyer_keys = [new_api_key() for _ in range(plan.buyers)]
        buyer_ids = [ObjectId() for _ in range(plan.buyers)]
        vendor_keys = [new_api_key() for _ in range(plan.vendors)]
        vendor_ids = [ObjectId() for _ in range(plan.vendors)]
        organizations = [
            new_organization(
                f"Market buyer {i}",
                OrganizationKind.BUYER,
                "b@example.com",
                now,
                key_entry(key, now, "bench"),
                organization_id=oid,
            )
            for i, (key, oid) in enumerate(zip(buyer_keys, buyer_ids, strict=True))
        ] + [
            new_organization(
                f"Market vendor {i}",
                OrganizationKind.VENDOR,
                "v@example.com",
                now,
                key_entry(key, now, "bench"),
                organization_id=oid,
            )
            for i, (key, oid) in enumerate(zip(vendor_keys, vendor_ids, strict=True))
        ]
        await store.organizations.insert_many(organizations, ordered=False)
        buyers = await market.organizations.load_organizations([str(oid) for oid in buyer_ids])
        deadline = (now + timedelta(days=30)).isoformat()
        # One RFP created and published through the service (its validation and document), the
        # rest copied from it in bulk with their own ids, buyers and titles.
        first = buyers[0]
        assert first is not None
        created = await market.rfps.create_rfp(first, synthetic_rfp(0, deadline))
        assert created.value is not None, created.errors
        await market.rfps.publish_rfp(first, created.value.id)
        template = await store.rfps.find_one({"_id": ObjectId(created.value.id)})
        assert template is not None
        rfp_ids = [template["_id"]]
        copies = []
        for index in range(1, plan.rfps):
            rfp_id = ObjectId()
            rfp_ids.append(rfp_id)
            copies.append(
                template
                | {
                    "_id": rfp_id,
                    "buyerId": buyer_ids[index % plan.buyers],
                    "title": f"Synthetic support desk RFP {index + 1}",
                    # Spread as in a marketplace (deadlines 1-90 days ahead, created over the last
                    # 60 days), not one shared deadline: the lists read windows of these fields.
                    "submissionDeadline": now + timedelta(days=rng.uniform(1, 90)),
                    "createdAt": now - timedelta(days=rng.uniform(0, 60)),
                }
            )
        context = scoring.model.RfpContext.model_validate(template["context"])
        pool = []
        for _ in range(min(2_000, plan.proposals)):
            terms = ProposalTerms.model_validate(synthetic_proposal(rng))
            score = scoring.score(terms, context)
            # The store's builder once per scored offer; each proposal is that document with its own
            # ids and time (the terms and score dumps are shared, not re-serialized 100,000 times).
            prepared = new_proposal_document(str(rfp_ids[0]), str(vendor_ids[0]), terms, score, now)
            pool.append((prepared, score))
        # Documents prepared in memory by the store's builders, then written with insert_many: each
        # RFP's count and digest (seeded_digest: what refresh_ranking_digest would write) go in with
        # the RFP, instead of one update and one refresh transaction per RFP.
        entries_of: dict[int, list[Document]] = {}
        pairs = _bids(plan, rng)
        for start in range(0, len(pairs), INSERT_BATCH):
            documents, entries = [], []
            for offset, (rfp_index, vendor_index) in enumerate(pairs[start : start + INSERT_BATCH]):
                prepared, score = pool[rng.randrange(len(pool))]
                submitted = now + timedelta(milliseconds=start + offset)
                document = prepared | {
                    "_id": ObjectId(),
                    "rfpId": rfp_ids[rfp_index],
                    "vendorId": vendor_ids[vendor_index],
                    "submittedAt": submitted,
                    "updatedAt": submitted,
                }
                documents.append(document)
                entries.append(ranking_entry(document, score))
                entries_of.setdefault(rfp_index, []).append(entries[-1])
            await store.proposals.insert_many(documents, ordered=False)
            await store.audit_events.insert_many(
                [
                    new_audit_event(d["_id"], d["submittedAt"], str(d["vendorId"]), "submitted")
                    for d in documents
                ],
                ordered=False,
            )
            await store.rankings.insert_many(entries, ordered=False)
        for index, copy in enumerate(copies, start=1):
            copy["proposalCount"] = len(entries_of.get(index, ()))
            copy[DIGEST] = seeded_digest(entries_of.get(index, []), now)
        for start in range(0, len(copies), INSERT_BATCH):
            await store.rfps.insert_many(copies[start : start + INSERT_BATCH], ordered=False)
        await store.rfps.update_one(
            {"_id": rfp_ids[0]}, {"$set": {"proposalCount": len(entries_of.get(0, ()))}}
        )
        await refresh_ranking_digest(store, str(rfp_ids[0]), market.now())
        await _check_seeded_digest(store, rfp_ids[1:2], market.now())
    owned = range(0, plan.rfps, plan.buyers)  # buyer 0's RFPs (the template, then every buyers-th copy)
    busiest = rfp_ids[max(owned, key=lambda index: len(entries_of.get(index, ())))]
    seconds = time.perf_counter() - started
    return Seeded(buyer_keys, buyer_ids, vendor_keys, vendor_ids, rfp_ids, seconds, busiest)


async def _check_seeded_digest(store: Store, rfp_ids: list[ObjectId], now: datetime) -> None:
    """A seeded digest equals what refresh_ranking_digest computes from the stored entries."""
    for rfp_id in rfp_ids:
        seeded = (await store.rfps.find_one({"_id": rfp_id}) or {})[DIGEST]
        await refresh_ranking_digest(store, str(rfp_id), now)
        refreshed = (await store.rfps.find_one({"_id": rfp_id}) or {})[DIGEST]
        compared = ("count", "total", "next", "fences", "fencedCount")
        if any(seeded[name] != refreshed[name] for name in compared):
            raise AssertionError(f"seeded digest differs from refresh_ranking_digest's: {seeded} {refreshed}")


def _bids(plan: MarketPlan, rng: random.Random) -> list[tuple[int, int]]:
    """`plan.proposals` distinct (rfp, vendor) pairs: every vendor bids on many RFPs."""
    seen: set[tuple[int, int]] = set()
    while len(seen) < min(plan.proposals, plan.rfps * plan.vendors):
        seen.add((rng.randrange(plan.rfps), rng.randrange(plan.vendors)))
    return sorted(seen)


# ------------------------------------------------------------------------------------------ timing


def median_of(call: Callable[[], Awaitable[object]], runs: int) -> Callable[[], Awaitable[float]]:
    async def measure() -> float:
        await call()  # warm-up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await call()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1000

    return measure


MARKET_LIST = """{ rfps(first: 20, filter: {status: [OPEN], category: [CUSTOMER_SUPPORT]},
  orderBy: {field: SUBMISSION_DEADLINE, direction: ASC}) { edges { node { id title proposalCount } } } }"""
OWN_PROPOSALS = """{ rfps(first: 20) { edges { node { id proposals(first: 1) {
  edges { node { id status score { total } } } } } } } }"""
DASHBOARD = """{ rfps(first: 20, status: OPEN) { totalCount edges { node { id title proposalCount } } } }"""
RANKED = (
    """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 20) { edges { rank score { total } } } } }"""
)
WHAT_IF = """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 20,
  weights: {slaQuality: 0.2, lockIn: 0.2, cost: 0.6}) { edges { rank } } } }"""
RFP_COUNT = """query($id: ID!) { rfp(id: $id) { title proposalCount } }"""
SUBMIT = """mutation($input: SubmitProposalInput!) { submitProposal(input: $input) {
  proposal { id } userErrors { code message } } }"""


async def post(
    client: httpx.AsyncClient, query: str, key: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(key)
    )
    return graphql_data(response)


async def measure_reads(port: int, uri: str, seeded: Seeded, plan: MarketPlan) -> list[Figure]:
    figures: list[Figure] = []
    raw: AsyncMongoClient[Document] = AsyncMongoClient(uri, tz_aware=True)
    db = raw.get_database(DB_NAME, codec_options=CODEC_OPTIONS)
    vendor_key, vendor_id = seeded.vendor_keys[0], seeded.vendor_ids[0]
    buyer_key, buyer_id = seeded.buyer_keys[1], seeded.buyer_ids[1]
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=120) as client:

        async def listing() -> None:
            await post(client, MARKET_LIST, vendor_key)

        # Each floor fetches the documents the API returns, with the best raw query for them.
        def open_rfps(**equal: Any) -> Document:
            return equal | {"status": "OPEN", "submissionDeadline": {"$gt": datetime.now(UTC)}}

        newest = [("createdAt", -1), ("_id", -1)]

        async def listing_floor() -> None:
            found = (
                db.rfps.find(open_rfps(category="CUSTOMER_SUPPORT"))
                .sort([("submissionDeadline", 1), ("_id", 1)])
                .limit(21)
            )
            ids = [doc["_id"] async for doc in found]
            await db.rankings.find({"rfpId": {"$in": ids}, "vendorId": vendor_id}, {"rfpId": 1}).to_list(None)

        async def own() -> None:
            await post(client, OWN_PROPOSALS, vendor_key)

        async def own_floor() -> None:
            ids = [doc["_id"] async for doc in db.rfps.find(open_rfps()).sort(newest).limit(21)]
            # One point read per RFP on (rfpId, vendorId): an `$in` of the RFPs reads every
            # vendor's proposals to them on SecantusDB (the index's leading field only).
            await asyncio.gather(
                *(db.proposals.find_one({"rfpId": rfp, "vendorId": vendor_id}) for rfp in ids[:20])
            )

        async def dashboard() -> None:
            await post(client, DASHBOARD, buyer_key)

        async def dashboard_floor() -> None:
            await db.rfps.find(open_rfps(buyerId=buyer_id)).sort(newest).limit(21).to_list(None)
            await db.rfps.count_documents(open_rfps(buyerId=buyer_id))

        rfp_id = to_global_id("Rfp", str(seeded.rfp_ids[1]))

        async def vendor_count() -> None:
            await post(client, RFP_COUNT, vendor_key, {"id": rfp_id})

        async def buyer_count() -> None:
            await post(client, RFP_COUNT, seeded.buyer_keys[1], {"id": rfp_id})

        pairs = [
            ("vendor market listing (filters, 20, proposalCount)", listing, listing_floor),
            ("vendor's own proposals across 20 RFPs", own, own_floor),
            ("buyer dashboard (OPEN, 20, counts)", dashboard, dashboard_floor),
        ]
        for name, call, floor in pairs:
            value = await median_of(call, plan.runs)()
            base = await median_of(floor, plan.runs)()
            figures.append(
                Figure(
                    f"{name}: median", value, "ms", "", f"{value / base:.1f}x its raw fetch ({base:.2f} ms)"
                )
            )
        vendor = await median_of(vendor_count, plan.runs)()
        buyer = await median_of(buyer_count, plan.runs)()
        figures.append(
            Figure(
                "vendor rfp { proposalCount }: median",
                vendor,
                "ms",
                "<= 2x buyer's",
                f"{vendor / buyer:.2f}x the buyer's rfp read ({buyer:.2f} ms)",
            )
        )
        figures += await measure_submit(client, db, raw, seeded, plan)
    await raw.close()
    return figures


async def measure_submit(
    client: httpx.AsyncClient, db: Any, raw: AsyncMongoClient[Document], seeded: Seeded, plan: MarketPlan
) -> list[Figure]:
    """submitProposal by vendors that have not bid on the RFP yet, against a raw transaction that
    bumps the RFP and inserts a proposal-sized document."""
    rfp_oid = seeded.rfp_ids[2]
    rfp_id = to_global_id("Rfp", str(rfp_oid))
    bidders = {doc["vendorId"] async for doc in db.proposals.find({"rfpId": rfp_oid}, {"vendorId": 1})}
    free = [key for key, oid in zip(seeded.vendor_keys, seeded.vendor_ids, strict=True) if oid not in bidders]
    rng = random.Random(5)
    samples = []
    for key in free[: plan.runs + 1]:
        proposal = graphql_proposal(synthetic_proposal(rng))
        started = time.perf_counter()
        body = await post(client, SUBMIT, key, {"input": {"rfpId": rfp_id, "proposal": proposal}})
        samples.append(time.perf_counter() - started)
        assert body["submitProposal"]["userErrors"] == [], body
    shape = await db.proposals.find_one({"rfpId": rfp_oid})

    async def raw_write() -> None:
        async with raw.start_session() as session:

            async def work(session: Any) -> None:
                await db.rfps.update_one({"_id": rfp_oid}, {"$inc": {"benchWrites": 1}}, session=session)
                await db.bench_writes.insert_one(shape | {"_id": ObjectId()}, session=session)

            await session.with_transaction(work)

    floor = await median_of(raw_write, plan.runs)()
    value = statistics.median(samples[1:] or samples) * 1000
    return [
        Figure(
            "submitProposal (market RFP): median",
            value,
            "ms",
            "<= 10x raw",
            f"{value / floor:.1f}x a raw transactional write of the same shape ({floor:.2f} ms)",
        )
    ]


# ------------------------------------------------------------------------------------------ mixed load


THINK_SECONDS = (1.0, 3.0)  # a user's pause between a response and the next request (uniform)
SAMPLE_SECONDS = 1.0


@dataclass
class Load:
    latencies: list[float]
    errors: int
    elapsed: float


async def mixed_load(
    port: int, seeded: Seeded, clients: int, seconds: float, think: tuple[float, float] | None
) -> Load:
    """`clients` user sessions of a realistic mix for `seconds`, each pausing `think` seconds
    (uniform) between a response and its next request; `think=None` is a closed loop (saturation)."""
    load = Load([], 0, 0.0)
    stop_at = time.perf_counter() + seconds
    vendor_pool = list(zip(seeded.vendor_keys, seeded.vendor_ids, strict=True))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    # The ranked pages read an RFP the buyer owns with the most bids: a typical marketplace RFP.
    ranked_rfp = to_global_id("Rfp", str(seeded.busiest_rfp))
    ranked_key = seeded.buyer_keys[0]

    async def one(client: httpx.AsyncClient, rng: random.Random) -> None:
        rfp_id = to_global_id("Rfp", str(seeded.rfp_ids[rng.randrange(len(seeded.rfp_ids))]))
        roll = rng.random()
        key, _ = vendor_pool[rng.randrange(len(vendor_pool))]
        started = time.perf_counter()
        try:
            if roll < 0.3:
                await post(client, MARKET_LIST, key)
            elif roll < 0.45:
                await post(client, RFP_COUNT, key, {"id": rfp_id})
            elif roll < 0.6:
                await post(client, DASHBOARD, seeded.buyer_keys[rng.randrange(len(seeded.buyer_keys))])
            elif roll < 0.9:
                page = await post(client, RANKED if roll < 0.8 else WHAT_IF, ranked_key, {"id": ranked_rfp})
                if not page["rfp"]["rankedProposals"]["edges"]:
                    load.errors += 1  # the mix is meant to read a ranking, not an empty page
            else:
                proposal = graphql_proposal(synthetic_proposal(rng))
                body = await post(client, SUBMIT, key, {"input": {"rfpId": rfp_id, "proposal": proposal}})
                codes = [e["code"] for e in body["submitProposal"]["userErrors"]]
                if codes not in ([], ["ALREADY_SUBMITTED"]):  # a vendor's second bid is refused: expected
                    load.errors += 1
        except (RuntimeError, httpx.HTTPError, KeyError, TypeError):
            load.errors += 1
        load.latencies.append(time.perf_counter() - started)

    async def session(index: int) -> None:
        rng = random.Random(index)
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=120, limits=limits) as client:
            if think:  # users arrive spread over one pause, not all in the same instant
                await asyncio.sleep(rng.uniform(0, think[1]))
            while time.perf_counter() < stop_at:
                await one(client, rng)
                if think:
                    await asyncio.sleep(rng.uniform(*think))

    started = time.perf_counter()
    await asyncio.gather(*(session(index) for index in range(clients)))
    load.elapsed = time.perf_counter() - started
    return load


async def sampled(pids: dict[str, int], work: Awaitable[Load]) -> tuple[Load, dict[str, list[float]]]:
    """`work`, with the RSS (MB) of each process sampled every SAMPLE_SECONDS while it runs."""
    samples: dict[str, list[float]] = {name: [] for name in pids}

    async def sample() -> None:
        while True:
            for name, pid in pids.items():
                samples[name].append(memory_kb(pid, "VmRSS") / 1024)
            await asyncio.sleep(SAMPLE_SECONDS)

    sampler = asyncio.create_task(sample())
    try:
        return await work, samples
    finally:
        sampler.cancel()


async def measure_mixed(port: int, seeded: Seeded, plan: MarketPlan, pids: dict[str, int]) -> list[Figure]:
    # A lone client is never queued, so its median is the mix's service time; it runs without
    # pauses only to gather enough samples in the time.
    single = await mixed_load(port, seeded, 1, plan.seconds_per_level / 2, None)
    base = statistics.median(single.latencies) * 1000
    figures = [
        Figure(
            "mixed load, 1 client: median",
            base,
            "ms",
            "",
            f"the single-client median of the mix ({len(single.latencies)} requests, {single.errors} errors)",
        )
    ]
    for clients in plan.levels:
        load, memory_samples = await sampled(
            pids, mixed_load(port, seeded, clients, plan.seconds_per_level, THINK_SECONDS)
        )
        p50, p95, p99 = (percentile(load.latencies, f) * 1000 for f in (0.5, 0.95, 0.99))
        target = "p95 <= 10x 1-client median, 0 errors" if clients == 24 else ""
        rss = "; ".join(
            f"{name} RSS {min(values):.0f}-{max(values):.0f} MB"
            for name, values in memory_samples.items()
            if values
        )
        figures.append(
            Figure(
                f"mixed load, {clients} users (think {THINK_SECONDS[0]:.0f}-{THINK_SECONDS[1]:.0f} s)",
                len(load.latencies) / load.elapsed,
                "req/s",
                target,
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms ({p95 / base:.1f}x), p99 {p99:.0f} ms, "
                f"{load.errors} errors of {len(load.latencies)}; {rss}",
            )
        )
    saturated = await mixed_load(port, seeded, 24, plan.seconds_per_level / 2, None)
    p50, p95 = (percentile(saturated.latencies, f) * 1000 for f in (0.5, 0.95))
    figures.append(
        Figure(
            "saturation: 24 clients, closed loop (no think time)",
            len(saturated.latencies) / saturated.elapsed,
            "req/s",
            "",
            f"capacity of the mix; p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
            f"{saturated.errors} errors of {len(saturated.latencies)}",
        )
    )
    return figures


# ------------------------------------------------------------------------------------------ one huge RFP


PAGE_100 = (
    """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 100) { edges { rank score { total } } } } }"""
)
WHAT_IF_100 = """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 100,
  weights: {slaQuality: 0.3, lockIn: 0.3, cost: 0.4}) { rankStability edges { rank score { total } } } } }"""
REWEIGH = """mutation($input: UpdateRfpWeightsInput!) { updateRfpWeights(input: $input) {
  rfp { weights { cost } } userErrors { code message } } }"""


async def measure_large(port: int, uri: str, plan: MarketPlan, server_pid: int) -> list[Figure]:
    """The issue's single-huge-RFP targets on an RFP of `plan.large` proposals beside a small one."""
    from api.cli.synthetic import seed_synthetic

    async with open_market(uri, DB_NAME) as market:
        large = await seed_synthetic(market, proposals=plan.large, seed=41)
        small = await seed_synthetic(market, proposals=10, seed=42)
        vendors = [new_api_key() for _ in range(2 * plan.runs + 2 + BURST)]
        now = market.now()
        await market.store.organizations.insert_many(
            [
                new_organization(
                    f"Bench bidder {i}",
                    OrganizationKind.VENDOR,
                    "v@example.com",
                    now,
                    key_entry(key, now, "bench"),
                )
                for i, key in enumerate(vendors)
            ]
        )
    big, little = to_global_id("Rfp", large.rfp_ids[0]), to_global_id("Rfp", small.rfp_ids[0])
    rng = random.Random(43)
    figures: list[Figure] = []
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=600) as client:

        async def page() -> None:
            await post(client, PAGE_100, large.buyer_api_key, {"id": big})

        async def what_if() -> None:
            await post(client, WHAT_IF_100, large.buyer_api_key, {"id": big})

        at_rest = await median_of(page, plan.runs)()
        started = time.perf_counter()
        await what_if()
        cold = (time.perf_counter() - started) * 1000
        warm = await median_of(what_if, plan.runs)()
        figures.append(
            Figure(f"ranked page of 100 at {plan.large} proposals: median", at_rest, "ms", "", "at rest")
        )
        figures.append(
            Figure(
                "what-if page of 100 (+ rankStability): median",
                warm,
                "ms",
                "<= 3x default page",
                f"{warm / at_rest:.1f}x the default page; the first, which reads the vector, {cold:.0f} ms",
            )
        )
        writes: dict[str, list[float]] = {"large": [], "small": []}
        after_write: list[float] = []
        what_if_after: list[float] = []
        for index in range(plan.runs):
            for name, rfp_id in (("large", big), ("small", little)):
                proposal = graphql_proposal(synthetic_proposal(rng))
                key = vendors[2 * index + (name == "small")]
                started = time.perf_counter()
                body = await post(client, SUBMIT, key, {"input": {"rfpId": rfp_id, "proposal": proposal}})
                writes[name].append((time.perf_counter() - started) * 1000)
                assert body["submitProposal"]["userErrors"] == [], body
                if name == "large":
                    started = time.perf_counter()
                    await page()
                    after_write.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    await what_if()  # the cached vector brought up to date from the change log
                    what_if_after.append((time.perf_counter() - started) * 1000)
        large_write, small_write = statistics.median(writes["large"]), statistics.median(writes["small"])
        figures.append(
            Figure(
                f"submitProposal to the {plan.large}-proposal RFP: median",
                large_write,
                "ms",
                "<= 1.5x the 10-proposal RFP",
                f"{large_write / small_write:.2f}x ({small_write:.1f} ms)",
            )
        )
        first_what_if = statistics.median(what_if_after)
        figures.append(
            Figure(
                "the what-if page (+ rankStability) right after a write: median",
                first_what_if,
                "ms",
                "<= 3x default page",
                f"{first_what_if / at_rest:.2f}x the default page at rest",
            )
        )
        figures.append(await _burst(client, little, vendors[-BURST:], small_write, rng))
        next_page = statistics.median(after_write)
        figures.append(
            Figure(
                "the ranked page right after a write: median",
                next_page,
                "ms",
                "<= 1.5x at rest",
                f"{next_page / at_rest:.2f}x the page at rest",
            )
        )
        before = memory_kb(server_pid, "VmRSS") / 1024
        started = time.perf_counter()
        weights = {"slaQuality": 0.5, "lockIn": 0.2, "cost": 0.3}
        note = ""
        try:
            body = await post(
                client, REWEIGH, large.buyer_api_key, {"input": {"rfpId": big, "weights": weights}}
            )
            answered = time.perf_counter() - started
            # The mutation answers within REWEIGH_ANSWER_SECONDS with the job's progress; the figure
            # is the job's, so the RFP is watched until it switched (and the addendum below finds
            # no job under way).
            ok = body["updateRfpWeights"]["userErrors"] == [] and await _wait_for_weights(
                client, large.buyer_api_key, big, 0.3
            )
            note = f"; the mutation answered after {answered:.1f} s with its progress, the job went on"
        except RuntimeError as stopped:  # the request deadline: the job goes on, watched through the RFP
            if "DEADLINE_EXCEEDED" not in str(stopped):
                raise
            note = "; the request hit the 30 s request deadline (504), the job finished in the background"
            ok = await _wait_for_weights(client, large.buyer_api_key, big, 0.3)
            body = {}
        seconds = time.perf_counter() - started
        peak = memory_kb(server_pid, "VmHWM") / 1024
        figures.append(
            Figure(
                f"updateRfpWeights at {plan.large} proposals",
                seconds if ok else None,
                "s",
                "completes, API growth < 100 MB",
                f"API RSS {before:.0f} MB before, peak {peak:.0f} MB (the process's peak so far)"
                + note
                + ("" if ok else f"; failed: {body}"),
            )
        )
        figures.append(await _measure_amend(client, large.buyer_api_key, big, plan.large, server_pid))
    return figures


AMEND = """mutation($input: AmendRfpInput!) { amendRfp(input: $input) {
  rfp { addenda { number } } userErrors { code message } } }"""


async def _measure_amend(
    client: httpx.AsyncClient, key: str, rfp_id: str, size: int, server_pid: int
) -> Figure:
    """A rescoring addendum (a new budget) on the large RFP: its job rescores in batches; the
    mutation answers within 10 s with the progress, then the RFP is polled until it switched."""
    before = memory_kb(server_pid, "VmRSS") / 1024
    started = time.perf_counter()
    budget = {"amount": "17321.00", "currencyCode": "USD"}
    variables = {"input": {"rfpId": rfp_id, "summary": "Budget raised", "monthlyBudget": budget}}
    body = await post(client, AMEND, key, variables)
    ok = body["amendRfp"]["userErrors"] == [] and await _wait_for_addendum(client, key, rfp_id)
    seconds = time.perf_counter() - started
    peak = memory_kb(server_pid, "VmHWM") / 1024
    return Figure(
        f"amendRfp rescoring at {size} proposals",
        seconds if ok else None,
        "s",
        "completes, API growth < 100 MB",
        f"API RSS {before:.0f} MB before, peak {peak:.0f} MB (the process's peak so far)"
        + ("" if ok else f"; failed: {body}"),
    )


async def _wait_for_addendum(client: httpx.AsyncClient, key: str, rfp_id: str) -> bool:
    query = "query($id: ID!) { rfp(id: $id) { addenda { number } weightsUpdate { proposalsDone } } }"
    deadline = time.perf_counter() + 900
    while time.perf_counter() < deadline:
        rfp = (await post(client, query, key, {"id": rfp_id}))["rfp"]
        if rfp["addenda"] and rfp["weightsUpdate"] is None:
            return True
        if not rfp["weightsUpdate"]:  # no job and no addendum: it was abandoned (auditEvents say why)
            return False
        await asyncio.sleep(0.5)
    return False


BURST = 8  # concurrent submissions to one RFP (issue 14: the slowest within 8x the sequential median)


async def _burst(
    client: httpx.AsyncClient, rfp_id: str, keys: list[str], sequential: float, rng: random.Random
) -> Figure:
    """BURST vendors submitting to one (small) RFP at once: the slowest against the sequential median
    of the same submission measured just before."""

    async def one(key: str) -> float:
        proposal = graphql_proposal(synthetic_proposal(rng))
        started = time.perf_counter()
        body = await post(client, SUBMIT, key, {"input": {"rfpId": rfp_id, "proposal": proposal}})
        assert body["submitProposal"]["userErrors"] == [], body
        return (time.perf_counter() - started) * 1000

    slowest = max(await asyncio.gather(*(one(key) for key in keys)))
    return Figure(
        f"{BURST} concurrent submitProposal to one RFP: slowest",
        slowest,
        "ms",
        "<= 8x the sequential median",
        f"{slowest / sequential:.2f}x the sequential median ({sequential:.1f} ms)",
    )


async def _wait_for_weights(client: httpx.AsyncClient, key: str, rfp_id: str, cost: float) -> bool:
    query = "query($id: ID!) { rfp(id: $id) { weights { cost } weightsUpdate { proposalsDone } } }"
    deadline = time.perf_counter() + 900
    while time.perf_counter() < deadline:
        rfp = (await post(client, query, key, {"id": rfp_id}))["rfp"]
        if rfp["weights"]["cost"] == cost and rfp["weightsUpdate"] is None:
            return True
        await asyncio.sleep(0.5)
    return False


# ------------------------------------------------------------------------------------------ run


def memory(name: str, pid: int) -> Figure:
    rss, peak = memory_kb(pid, "VmRSS") / 1024, memory_kb(pid, "VmHWM") / 1024
    return Figure(f"{name} memory (RSS)", rss, "MB", "", f"peak {peak:.0f} MB")


def run(plan: MarketPlan) -> tuple[list[Figure], float]:
    rng = random.Random(20261129)
    with tempfile.TemporaryDirectory(prefix="rfpmarket-market-bench-") as folder:
        database = EmbeddedDatabase(Path(folder) / "db")
        server = None
        try:
            database.start(READY_SECONDS)
            seeded = asyncio.run(seed_market(database.uri, plan, rng))
            print(f"seeded {plan.proposals} proposals in {seeded.seconds:.0f} s", file=sys.stderr)
            port = free_port(HOST)
            with (Path(folder) / "server.log").open("wb") as log:
                # Start-up reads whole collections (the audit migration, the scoring-version check):
                # at 100,000 proposals on a loaded machine that outlasts bench_api's 60 s.
                started = time.perf_counter()
                server = start_server(database.uri, port, log, STARTUP_SECONDS)
                startup = time.perf_counter() - started
                assert database.process is not None
                figures = [
                    Figure(
                        "seeding through the store",
                        seeded.seconds,
                        "s",
                        "",
                        f"{plan.rfps} RFPs, {plan.vendors} vendors, {plan.proposals} proposals",
                    ),
                    Figure("API start-up until /readyz", startup, "s", "", "on the seeded marketplace"),
                    memory("API at start", server.pid),
                    memory("database at start", database.process.pid),
                ]
                figures += asyncio.run(measure_reads(port, database.uri, seeded, plan))
                pids = {"API": server.pid, "database": database.process.pid}
                figures += asyncio.run(measure_mixed(port, seeded, plan, pids))
                if plan.large:
                    try:
                        figures += asyncio.run(measure_large(port, database.uri, plan, server.pid))
                    except Exception as failed:  # the marketplace figures are kept whatever happens here
                        figures.append(Figure("one huge RFP", None, "", "", f"failed: {failed!r}"[:300]))
                figures += [
                    memory("API after the run", server.pid),
                    memory("database after the run", database.process.pid),
                ]
                return figures, seeded.seconds
        finally:
            if server is not None:
                stop_server(server)
            database.stop()


def block(figures: list[Figure], plan: MarketPlan, quick: bool, seconds: float) -> str:
    from bench.__main__ import git_commit, machine, number

    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"## Marketplace benchmark{' (quick)' if quick else ''}, {time.strftime(STAMP, time.gmtime())}",
        "",
        f"- machine: {machine()}; load average at the end {load} (shared with other engineers' tests)",
        f"- commit: {git_commit()}",
        f"- run: `python -m bench.bench_market{' --quick' if quick else ''}`: {plan.rfps} RFPs of "
        f"{plan.buyers} buyers, {plan.vendors} vendors, {plan.proposals} proposals; {seconds:.0f} s in all",
        "",
        "| metric | value | unit | target | note |",
        "|---|---|---|---|---|",
    ]
    for figure in figures:
        value = "n/a" if figure.value is None else number(figure.value)
        lines.append(f"| {figure.metric} | {value} | {figure.unit} | {figure.target} | {figure.note} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_market", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 200 RFPs, 5,000 proposals")
    parser.add_argument("--rfps", type=int, default=None)
    parser.add_argument("--vendors", type=int, default=None)
    parser.add_argument("--proposals", type=int, default=None)
    parser.add_argument("--large", type=int, default=None, help="proposals of the one huge RFP (0: skip)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    plan = MarketPlan.quick() if args.quick else MarketPlan.full()
    names = ("rfps", "vendors", "proposals", "large")
    changes = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    plan = MarketPlan(**(plan.__dict__ | changes))
    started = time.perf_counter()
    figures, _ = run(plan)
    text = block(figures, plan, args.quick, time.perf_counter() - started)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as results:
            results.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
