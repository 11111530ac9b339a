"""The API against a real server: ranked pages, concurrency, submissions, export, scoring.

    python -m bench [--proposals 20000] [--quick] [--profile PATH]

One embedded SecantusDB in a temporary folder; `rfpmarket seed --synthetic` fills one RFP with N
proposals; `rfpmarket serve` (uvicorn, one process) runs against it as a child process. Every request
goes to 127.0.0.1, every loop is bounded, and the server and the database are stopped whatever happens.
Figures only: nothing here asserts a timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
from bson import ObjectId
from pymongo import AsyncMongoClient, MongoClient, monitoring

from api.cli.synthetic import synthetic_proposal, synthetic_rfp
from api.embedded import EmbeddedDatabase, free_port
from api.store.database import CODEC_OPTIONS
from api.store.document import Document
from api.store.rankings import FENCE_SPACING, RANK_SORT, rank_range
from schema.common import from_global_id

HOST = "127.0.0.1"
DB_NAME = "bench"
READY_SECONDS = 60.0
REQUEST_SECONDS = 120.0

RANKED_PAGE = """
query($id: ID!, $first: Int!) {
  rfp(id: $id) {
    rankedProposals(first: $first) {
      totalCount
      edges { rank node { id vendor { name } } score { total findings { code } } }
    }
  }
}"""
VIEWER = "{ viewer { organization { id } } }"
REGISTER = """
mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) { organization { id } apiKey userErrors { field message code } }
}"""
CREATE_RFP = """
mutation($input: CreateRfpInput!) {
  createRfp(input: $input) { rfp { id } userErrors { field message code } }
}"""
PUBLISH_RFP = """
mutation($input: RfpIdInput!) {
  publishRfp(input: $input) { rfp { id status } userErrors { field message code } }
}"""
SUBMIT = """
mutation($input: SubmitProposalInput!) {
  submitProposal(input: $input) {
    proposal { id status score { total } }
    userErrors { field message code }
  }
}"""


@dataclass(frozen=True)
class Figure:
    """One row of the results table; `value` None means the measurement failed (see `note`)."""

    metric: str
    value: float | None
    unit: str
    target: str = ""
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """How much of everything: the full run, or `--quick` for a smoke run."""

    proposals: int
    page_size: int = 100
    warm_ups: int = 2
    runs: int = 15
    clients: int = 8
    requests_per_client: int = 5
    viewer_requests_per_client: int = 25
    vendors_per_client: int = 5
    scoring_n: int = 20_000

    @classmethod
    def quick(cls, proposals: int = 2_000) -> Plan:
        return cls(
            proposals=proposals,
            runs=5,
            warm_ups=1,
            requests_per_client=2,
            viewer_requests_per_client=5,
            vendors_per_client=1,
            scoring_n=2_000,
        )


@dataclass(frozen=True)
class Seeded:
    rfp_id: str  # the GraphQL global id
    buyer_key: str

    @property
    def local_rfp_id(self) -> str:
        parsed = from_global_id(self.rfp_id, "Rfp")
        assert parsed is not None, self.rfp_id
        return parsed[1]


# ------------------------------------------------------------------------------ processes


def server_env(uri: str) -> dict[str, str]:
    return {
        **os.environ,
        "MONGODB_URI": uri,
        "RFPMARKET_DB": DB_NAME,
        "RFPMARKET_LOG_LEVEL": "WARNING",
        # 8 * K registrations from one address in a few seconds: far over the production limit.
        "RFPMARKET_REGISTER_RATE_LIMIT": "100000",
        "RFPMARKET_WRITE_RATE_LIMIT_PER_ADDRESS": "100000",
    }


def rfpmarket(*args: str) -> list[str]:
    """The `rfpmarket` command of this interpreter's environment."""
    return [sys.executable, "-m", "api.cli", *args]


def seed(uri: str, proposals: int, timeout: float = 900.0) -> tuple[Seeded, float]:
    """`rfpmarket seed --synthetic --proposals N`: the filled RFP and the seconds it took."""
    started = time.perf_counter()
    done = subprocess.run(
        rfpmarket("seed", "--synthetic", "--proposals", str(proposals)),
        env=server_env(uri),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"seed failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return Seeded(rfp_id=summary["rfpId"], buyer_key=summary["buyerApiKey"]), seconds


def start_server(
    uri: str, port: int, log: IO[bytes], ready_seconds: float = READY_SECONDS
) -> subprocess.Popen[bytes]:
    """`rfpmarket serve` in its own process group (so stopping it stops all of it), once /readyz answers."""
    server = subprocess.Popen(
        rfpmarket("serve", "--host", HOST, "--port", str(port)),
        env=server_env(uri),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + ready_seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server was not ready within {ready_seconds:g} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


@contextlib.contextmanager
def running_stack(folder: Path, proposals: int) -> Iterator[tuple[str, int, subprocess.Popen[bytes], Seeded]]:
    """(database uri, server port, server process, seeded RFP); everything stopped on exit."""
    database = EmbeddedDatabase(folder / "db")
    server: subprocess.Popen[bytes] | None = None
    log_path = folder / "server.log"
    try:
        database.start(READY_SECONDS)
        print(f"database on {database.uri}; seeding {proposals} proposals ...", file=sys.stderr)
        seeded, seconds = seed(database.uri, proposals)
        print(f"seeded in {seconds:.1f} s", file=sys.stderr)
        port = free_port(HOST)
        with log_path.open("wb") as log:
            server = start_server(database.uri, port, log)
            yield database.uri, port, server, seeded
    except BaseException:
        if log_path.exists():
            print(f"server log (tail):\n{log_path.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            stop_server(server)
        database.stop()


# ------------------------------------------------------------------------------ helpers


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def graphql_data(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    data: dict[str, Any] = body["data"]
    return data


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of at least one sample."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def graphql_proposal(data: dict[str, Any]) -> dict[str, Any]:
    """api.synthetic's proposal shape -> GraphQL's ProposalInput: pricing is a one-of, not a `model` tag."""
    pricing = dict(data["pricing"])
    model = pricing.pop("model")
    return {**data, "pricing": {model: pricing}}


# ----------------------------------------------------------------- 1. ranked page vs. raw driver


def http_ranked_page(client: httpx.Client, seeded: Seeded, first: int) -> float:
    started = time.perf_counter()
    response = client.post(
        "/graphql",
        json={"query": RANKED_PAGE, "variables": {"id": seeded.rfp_id, "first": first}},
        headers=bearer(seeded.buyer_key),
    )
    data = graphql_data(response)
    seconds = time.perf_counter() - started
    edges = data["rfp"]["rankedProposals"]["edges"]
    if len(edges) != first:
        raise RuntimeError(f"expected {first} edges, got {len(edges)}")
    return seconds


def bounded_range(rfp: Document | None, rfp_id: str, first: int) -> Document:
    """The entries' range up to the fence past the first page, as the API reads it."""
    fences = ((rfp or {}).get("rankingDigest") or {}).get("fences") or []
    index = first // FENCE_SPACING
    return rank_range(rfp_id, None, fences[index] if index < len(fences) else None)


def raw_page(db: Any, rfp_id: str, first: int) -> list[tuple[Document, str]]:
    """What the API reads for a ranked page, straight through PyMongo: the RFP, its entries up to the
    next fence, the proposals and the vendor names."""
    rfp = db.rfps.find_one({"_id": ObjectId(rfp_id)})
    entries = list(
        db.rankings.find(bounded_range(rfp, rfp_id, first), {"_id": 1}).sort(RANK_SORT).limit(first)
    )
    ids = [entry["_id"] for entry in entries]
    proposals = {doc["_id"]: doc for doc in db.proposals.find({"_id": {"$in": ids}})}
    vendor_ids = list({doc["vendorId"] for doc in proposals.values()})
    names = {
        doc["_id"]: doc["name"] for doc in db.organizations.find({"_id": {"$in": vendor_ids}}, {"name": 1})
    }
    return [(proposals[i], names[proposals[i]["vendorId"]]) for i in ids]


async def raw_page_async(db: Any, rfp_id: str, first: int) -> list[tuple[Document, str]]:
    """The same four reads through the AsyncMongoClient the server itself uses."""
    rfp = await db.rfps.find_one({"_id": ObjectId(rfp_id)})
    found = db.rankings.find(bounded_range(rfp, rfp_id, first), {"_id": 1}).sort(RANK_SORT).limit(first)
    ids = [entry["_id"] async for entry in found]
    proposals = {doc["_id"]: doc async for doc in db.proposals.find({"_id": {"$in": ids}})}
    vendor_ids = list({doc["vendorId"] for doc in proposals.values()})
    orgs = db.organizations.find({"_id": {"$in": vendor_ids}}, {"name": 1})
    names = {doc["_id"]: doc["name"] async for doc in orgs}
    return [(proposals[i], names[proposals[i]["vendorId"]]) for i in ids]


def timed_median(call: Callable[[], object], warm_ups: int, runs: int) -> float:
    for _ in range(warm_ups):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def timed_median_async(call: Callable[[], Awaitable[object]], warm_ups: int, runs: int) -> float:
    for _ in range(warm_ups):
        await call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure_ranked_page(uri: str, port: int, seeded: Seeded, plan: Plan) -> list[Figure]:
    first, rfp = plan.page_size, seeded.local_rfp_id
    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=REQUEST_SECONDS) as client:
        http = timed_median(lambda: http_ranked_page(client, seeded, first), plan.warm_ups, plan.runs)
    # The raw floor: the same reads, same codec (Decimal, tz-aware datetimes), no API around them.
    sync_client: MongoClient[Document] = MongoClient(uri, tz_aware=True)
    try:
        db = sync_client.get_database(DB_NAME, codec_options=CODEC_OPTIONS)
        if len(raw_page(db, rfp, first)) != first:
            raise RuntimeError("the raw fetch did not find a full page")
        raw_sync = timed_median(lambda: raw_page(db, rfp, first), plan.warm_ups, plan.runs)
    finally:
        sync_client.close()

    async def raw_async() -> float:
        client: AsyncMongoClient[Document] = AsyncMongoClient(uri, tz_aware=True)
        try:
            adb = client.get_database(DB_NAME, codec_options=CODEC_OPTIONS)
            return await timed_median_async(lambda: raw_page_async(adb, rfp, first), plan.warm_ups, plan.runs)
        finally:
            await client.close()

    raw_async_seconds = asyncio.run(raw_async())
    floor = min(raw_sync, raw_async_seconds)
    label = f"ranked page of {first} ({plan.proposals:,} proposals)"
    return [
        Figure(f"{label}: HTTP median", http * 1000, "ms", note=f"{plan.runs} runs"),
        Figure(f"{label}: raw PyMongo median (sync)", raw_sync * 1000, "ms", note="4 reads"),
        Figure(f"{label}: raw PyMongo median (async)", raw_async_seconds * 1000, "ms", note="4 reads"),
        Figure(f"{label}: HTTP / raw floor", http / floor, "x", "<= 2.5", note="floor = faster raw"),
    ]


# ------------------------------------------------------------------- 2. throughput, 8 clients


async def throughput(port: int, body: dict[str, Any], key: str, clients: int, each: int) -> float:
    """Requests per second of `clients` connections sending `each` requests back to back, all at once."""
    base, headers = f"http://{HOST}:{port}", bearer(key)
    async with contextlib.AsyncExitStack() as stack:
        pool = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=REQUEST_SECONDS))
            for _ in range(clients)
        ]
        # One untimed request per client first: connections open, server-side caches warm.
        await asyncio.gather(*(client.post("/graphql", json=body, headers=headers) for client in pool))

        async def requests(client: httpx.AsyncClient) -> None:
            for _ in range(each):
                graphql_data(await client.post("/graphql", json=body, headers=headers))

        started = time.perf_counter()
        await asyncio.gather(*(requests(client) for client in pool))
        return clients * each / (time.perf_counter() - started)


def measure_throughput(port: int, seeded: Seeded, plan: Plan) -> list[Figure]:
    page = {"query": RANKED_PAGE, "variables": {"id": seeded.rfp_id, "first": plan.page_size}}
    viewer = {"query": VIEWER}
    n = plan.clients
    ranked = asyncio.run(throughput(port, page, seeded.buyer_key, n, plan.requests_per_client))
    trivial = asyncio.run(throughput(port, viewer, seeded.buyer_key, n, plan.viewer_requests_per_client))
    return [
        Figure(
            f"ranked page of {plan.page_size}, {n} concurrent clients",
            ranked,
            "req/s",
            note=f"{n} x {plan.requests_per_client} requests",
        ),
        Figure(
            f"viewer {{ organization {{ id }} }}, {n} concurrent clients",
            trivial,
            "req/s",
            note=f"{n} x {plan.viewer_requests_per_client} requests",
        ),
        Figure("ranked page / viewer throughput", ranked / trivial, "x"),
    ]


# ------------------------------------------- 2b. a vendor's rfp { proposalCount } vs the buyer's

PROPOSAL_COUNT = "query($id: ID!) { rfp(id: $id) { title proposalCount } }"


async def _vendor_with_a_bid(port: int, seeded: Seeded) -> str:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        vendor = await register(client, "VENDOR", f"Bench counter {time.time_ns()}")
        await submit(client, vendor, seeded.rfp_id, graphql_proposal(synthetic_proposal(random.Random(3))))
        return vendor


def measure_vendor_count(port: int, seeded: Seeded, plan: Plan) -> list[Figure]:
    """Issue 14: a vendor's proposalCount scanned every ranking entry of the marketplace; with the
    by_vendor index it costs what the buyer's read costs."""
    vendor = asyncio.run(_vendor_with_a_bid(port, seeded))
    body = {"query": PROPOSAL_COUNT, "variables": {"id": seeded.rfp_id}}
    medians: dict[str, float] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:

        def read_as(key: str) -> Callable[[], object]:
            return lambda: graphql_data(client.post("/graphql", json=body, headers=bearer(key)))

        for who, key in (("buyer", seeded.buyer_key), ("vendor", vendor)):
            medians[who] = timed_median(read_as(key), plan.warm_ups, plan.runs)
    return [
        Figure("rfp { proposalCount } as the buyer: HTTP median", medians["buyer"] * 1000, "ms"),
        Figure("rfp { proposalCount } as a vendor: HTTP median", medians["vendor"] * 1000, "ms"),
        Figure("vendor / buyer rfp { proposalCount }", medians["vendor"] / medians["buyer"], "x", "<= 2"),
    ]


# ------------------------------------------------------------------- 3. submitProposal burst


async def register(client: httpx.AsyncClient, kind: str, name: str) -> str:
    variables = {"input": {"name": name, "kind": kind, "contactEmail": "bench@example.com"}}
    data = graphql_data(await client.post("/graphql", json={"query": REGISTER, "variables": variables}))
    payload = data["registerOrganization"]
    if payload["userErrors"]:
        raise RuntimeError(f"registerOrganization: {payload['userErrors']}")
    key: str = payload["apiKey"]
    return key


async def small_open_rfp(client: httpx.AsyncClient, buyer_key: str) -> str:
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    data = {**synthetic_rfp(0, deadline), "title": "Benchmark burst RFP"}
    created = graphql_data(
        await client.post(
            "/graphql", json={"query": CREATE_RFP, "variables": {"input": data}}, headers=bearer(buyer_key)
        )
    )["createRfp"]
    if created["userErrors"]:
        raise RuntimeError(f"createRfp: {created['userErrors']}")
    rfp_id: str = created["rfp"]["id"]
    published = graphql_data(
        await client.post(
            "/graphql",
            json={"query": PUBLISH_RFP, "variables": {"input": {"rfpId": rfp_id}}},
            headers=bearer(buyer_key),
        )
    )["publishRfp"]
    if published["userErrors"]:
        raise RuntimeError(f"publishRfp: {published['userErrors']}")
    return rfp_id


async def submit(client: httpx.AsyncClient, key: str, rfp_id: str, proposal: dict[str, Any]) -> float:
    variables = {"input": {"rfpId": rfp_id, "proposal": proposal}}
    started = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": SUBMIT, "variables": variables}, headers=bearer(key)
    )
    seconds = time.perf_counter() - started
    payload = graphql_data(response)["submitProposal"]
    if payload["userErrors"] or payload["proposal"] is None:
        raise RuntimeError(f"submitProposal: {payload['userErrors']}")
    return seconds


async def submit_burst(port: int, seeded: Seeded, plan: Plan) -> tuple[list[float], list[float]]:
    """(latencies on the big RFP, on a small one): `clients` vendors submitting at once, K rounds each."""
    rng = random.Random(6)
    base = f"http://{HOST}:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_SECONDS) as setup:
        buyer_key = await register(setup, "BUYER", "Bench buyer")
        small = await small_open_rfp(setup, buyer_key)
        count = plan.clients * plan.vendors_per_client
        keys = [await register(setup, "VENDOR", f"Bench vendor {index + 1}") for index in range(count)]
    big: list[float] = []
    little: list[float] = []

    def proposal() -> dict[str, Any]:
        return graphql_proposal(synthetic_proposal(rng))

    async def vendor_group(group: list[str]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=REQUEST_SECONDS) as client:
            await client.get("/healthz")  # open the connection outside the timed requests
            for key in group:
                big.append(await submit(client, key, seeded.rfp_id, proposal()))
                little.append(await submit(client, key, small, proposal()))

    groups = [keys[index :: plan.clients] for index in range(plan.clients)]
    await asyncio.gather(*(vendor_group(group) for group in groups))
    return big, little


def measure_submits(port: int, seeded: Seeded, plan: Plan) -> list[Figure]:
    big, small = asyncio.run(submit_burst(port, seeded, plan))
    n, note = plan.clients, f"{len(big)} submissions"
    on_big = f"submitProposal, {n} concurrent vendors, {plan.proposals:,}-proposal RFP"
    on_small = f"submitProposal, {n} concurrent vendors, small RFP"
    return [
        Figure(f"{on_big}: p50", percentile(big, 0.5) * 1000, "ms", note=note),
        Figure(f"{on_big}: p95", percentile(big, 0.95) * 1000, "ms", note=note),
        Figure(f"{on_small}: p50", percentile(small, 0.5) * 1000, "ms", note=note),
        Figure(f"{on_small}: p95", percentile(small, 0.95) * 1000, "ms", note=note),
    ]


# ------------------------------------------------------------------------------ 4. CSV export


def measure_export(port: int, server: subprocess.Popen[bytes], seeded: Seeded, plan: Plan) -> list[Figure]:
    """bench/bench_export.py's measurement (VmHWM reset just before, minus RSS then) on this server."""
    from bench.bench_export import download, measure

    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=REQUEST_SECONDS) as client:
        # Warm up the export code path on an empty RFP (imports, caches), as bench_export does.
        warm_up = asyncio.run(_empty_rfp_of_new_buyer(port))
        download(client, warm_up[1], f"/exports/rfps/{warm_up[0]}/ranking.csv")
        path = f"/exports/rfps/{seeded.rfp_id}/ranking.csv"
        before = memory_kb(server.pid, "VmHWM")
        seconds, peak_mb = measure(client, server.pid, seeded.buyer_key, path)
        after = memory_kb(server.pid, "VmHWM")
    rows = plan.proposals
    return [
        Figure(f"CSV export of {rows:,} rows", rows / seconds, "rows/s", note=f"{seconds:.2f} s"),
        Figure(
            f"CSV export of {rows:,} rows: server peak RSS growth",
            peak_mb,
            "MB",
            note=f"VmHWM reset before; lifetime VmHWM {before / 1024:.0f} -> {after / 1024:.0f} MB",
        ),
    ]


async def _empty_rfp_of_new_buyer(port: int) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=REQUEST_SECONDS) as client:
        key = await register(client, "BUYER", "Bench export warm-up buyer")
        return await small_open_rfp(client, key), key


# --------------------------------------------------------------------------- 5. scoring, in-process


def measure_scoring(n: int, seed_value: int = 7) -> list[Figure]:
    """bench/bench_scoring.py's workload and loop: only the `scoring.score` calls are timed."""
    from bench.bench_scoring import random_proposal, random_rfp
    from scoring import SCORING_VERSION, score

    rng = random.Random(seed_value)
    rfps = [random_rfp(rng) for _ in range(max(1, n // 100))]
    work = [(random_proposal(rng), rfps[index % len(rfps)]) for index in range(n)]
    started = time.perf_counter()
    for terms, rfp in work:
        score(terms, rfp)
    rate = n / (time.perf_counter() - started)
    return [Figure(f"in-process scoring ({n:,} proposals)", rate, "proposals/s", note=SCORING_VERSION)]


# ------------------------------------------------------------------------------ profile


class CommandTimes(monitoring.CommandListener):
    """Every database command's round trip as the server's driver sees it, while `recording`."""

    def __init__(self) -> None:
        self.recording = False
        self.names: dict[int, str] = {}
        self.seconds: dict[str, list[float]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        on = f" {target}" if isinstance(target, str) else ""
        query = event.command.get("filter")
        fields = f" {{{', '.join(query)}}}" if isinstance(query, dict) else ""
        self.names[event.request_id] = f"{event.command_name}{on}{fields}"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        name = self.names.pop(event.request_id, event.command_name)
        if self.recording:
            self.seconds.setdefault(name, []).append(event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.names.pop(event.request_id, None)

    def table(self, requests: int) -> str:
        lines = ["| command | per request | median ms | total s |", "|---|---|---|---|"]
        ranked = sorted(self.seconds.items(), key=lambda item: -sum(item[1]))
        for name, samples in ranked:
            lines.append(
                f"| {name} | {len(samples) / requests:g} | {statistics.median(samples) * 1000:.1f} "
                f"| {sum(samples):.2f} |"
            )
        return "\n".join(lines)


def profile_ranked_page(uri: str, seeded: Seeded, first: int, requests: int = 30) -> str:
    """pyinstrument over `requests` ranked pages through the ASGI app in-process (httpx.ASGITransport),
    with the database commands those requests sent and how long each took (pymongo command monitoring)."""
    from pyinstrument import Profiler

    from api.http.app import create_app
    from api.settings import Settings

    commands = CommandTimes()
    app = create_app(Settings(db=DB_NAME, log_level="WARNING"), uri, listeners=[commands])
    body = {"query": RANKED_PAGE, "variables": {"id": seeded.rfp_id, "first": first}}
    headers = bearer(seeded.buyer_key)

    async def pages(profiler: Profiler) -> float:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for _ in range(3):  # warm up: imports, caches, connection pool
                    graphql_data(await client.post("/graphql", json=body, headers=headers))
                commands.recording = True
                started = time.perf_counter()
                profiler.start()
                for _ in range(requests):
                    graphql_data(await client.post("/graphql", json=body, headers=headers))
                profiler.stop()
                elapsed = time.perf_counter() - started
                commands.recording = False
        return elapsed

    profiler = Profiler(interval=0.0005, async_mode="disabled")
    elapsed = asyncio.run(pages(profiler))
    tree: str = profiler.output_text(unicode=False, color=False, show_all=False)
    flat: str = profiler.output_text(unicode=False, color=False, flat=True)
    return (
        f"{requests} ranked pages of {first}, {elapsed / requests * 1000:.0f} ms each in-process\n\n"
        f"Database commands (pymongo command monitoring):\n\n{commands.table(requests)}\n\n"
        f"Call tree:\n{tree}\n\nSelf time by function (flat):\n{flat}"
    )


# ------------------------------------------------------------------------------ the run


def guarded(name: str, measure: Callable[[], list[Figure]]) -> list[Figure]:
    """One measurement; a failure becomes a row saying so, and the others still run."""
    print(f"measuring: {name} ...", file=sys.stderr)
    try:
        return measure()
    except Exception as error:  # a benchmark reports what failed and goes on
        traceback.print_exc()
        return [Figure(name, None, "", note=f"failed: {type(error).__name__}: {str(error)[:120]}")]


def run(plan: Plan, profile_path: Path | None = None) -> list[Figure]:
    figures: list[Figure] = []
    with (
        tempfile.TemporaryDirectory(prefix="rfpmarket-bench-") as folder,
        running_stack(Path(folder), plan.proposals) as (uri, port, server, seeded),
    ):
        figures += guarded("ranked page vs raw", lambda: measure_ranked_page(uri, port, seeded, plan))
        figures += guarded("throughput", lambda: measure_throughput(port, seeded, plan))
        # The export before the submissions, so that it exports exactly `proposals` rows.
        figures += guarded("CSV export", lambda: measure_export(port, server, seeded, plan))
        figures += guarded("vendor proposalCount", lambda: measure_vendor_count(port, seeded, plan))
        figures += guarded("submitProposal burst", lambda: measure_submits(port, seeded, plan))
        if profile_path is not None:
            print("profiling the ranked page in-process ...", file=sys.stderr)
            try:
                profile_path.write_text(profile_ranked_page(uri, seeded, plan.page_size))
                print(f"profile written to {profile_path}", file=sys.stderr)
            except Exception:  # the figures matter more than the profile
                traceback.print_exc()
    # Scoring last, with the server and the database stopped: the CPU is the benchmark's alone.
    figures += guarded("scoring", lambda: measure_scoring(plan.scoring_n))
    return figures
