"""Exporting a 20,000-proposal ranking as CSV over HTTP: rows per second and the server's peak memory.

    python -m bench.bench_export [--n 20000] [--no-record]

Starts an ephemeral SecantusDB and `rfpmarket serve` against it (a separate process, so its memory is
the server's alone), registers a buyer and publishes an RFP through GraphQL, bulk-inserts N vendors and
N proposals scored by `scoring.score` (a few seed templates with varied prices and escalation, so totals
and costs spread), then downloads `ranking.csv`. Memory is the server's VmHWM (peak RSS) from /proc,
reset just before the export (`clear_refs`), minus its RSS at that moment: what the export added.
Also prints the JSON and Excel figures; appends the CSV row to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import MongoClient

import scoring
from api.embedded import EmbeddedDatabase, free_port
from api.organizations import key_entry, new_api_key
from api.store import CODEC_OPTIONS
from schema.common import local_id
from scoring.model import ProposalScore, ProposalTerms, RfpContext
from seeds.demo import PRIMER_RFP_KEY, demo_rfps

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "| date | machine | export csv 20k | rows/s | peak MB |\n|---|---|---|---|---|\n"
DB_NAME = "bench_export"
INSERT_CHUNK = 2_000

REGISTER = """mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) { apiKey userErrors { message } } }"""
CREATE_RFP = (
    """mutation($input: CreateRfpInput!) { createRfp(input: $input) { rfp { id } userErrors { message } } }"""
)
PUBLISH_RFP = """mutation($input: RfpIdInput!) { publishRfp(input: $input) { userErrors { message } } }"""


# ----------------------------------------------------------------------------------- the server


def start_server(uri: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONGODB_URI": uri, "RFPMARKET_DB": DB_NAME, "RFPMARKET_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not become ready in 30 s")


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    # "5" resets VmHWM to the current RSS (Linux >= 4.0), so the next peak is this export's alone.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


# ------------------------------------------------------------------------------------ the data


def graphql(client: httpx.Client, query: str, variables: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in body, body
    return body["data"]


def open_rfp(client: httpx.Client, key: str, title: str) -> str:
    (primer,) = [rfp for rfp in demo_rfps(datetime.now(UTC)) if rfp.key == PRIMER_RFP_KEY]
    deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    data = {**primer.rfp, "title": title, "submissionDeadline": deadline, "sealed": False}
    created = graphql(client, CREATE_RFP, {"input": data}, key)["createRfp"]
    assert created["userErrors"] == [], created
    rfp_id: str = created["rfp"]["id"]
    graphql(client, PUBLISH_RFP, {"input": {"rfpId": rfp_id}}, key)
    return rfp_id


def scored_templates(context: RfpContext) -> list[tuple[ProposalTerms, ProposalScore]]:
    """Every seed proposal in the RFP's currency, at several prices and escalations: ~100 distinct scores."""
    bases = [
        ProposalTerms.model_validate(bid.proposal)
        for rfp in demo_rfps(datetime.now(UTC))
        for bid in rfp.proposals
        if rfp.rfp["currencyCode"] == context.currency_code
    ]
    templates = []
    for terms, escalation, one_time in itertools.product(
        bases, (0.0, 3.0, 7.5), ("0.00", "2500.00", "40000.00")
    ):
        varied = terms.model_copy(
            update={
                "annual_escalation_percent": escalation,
                "one_time_fee": scoring.Money(amount=Decimal(one_time), currency_code=context.currency_code),
            }
        )
        templates.append((varied, scoring.score(varied, context)))
    return templates


def documents(rfp_id: ObjectId, vendors: list[ObjectId], templates: list[Any]) -> Iterator[dict[str, Any]]:
    start = datetime.now(UTC)
    for index, (vendor, (terms, score)) in enumerate(zip(vendors, itertools.cycle(templates), strict=False)):
        submitted = start + timedelta(milliseconds=index)
        yield {
            "rfpId": rfp_id,
            "vendorId": vendor,
            "status": "SHORTLISTED" if index % 10 == 0 else "SUBMITTED",
            "version": 1,
            "submittedAt": submitted,
            "updatedAt": submitted,
            "terms": terms.model_dump(mode="python"),
            "score": score.model_dump(mode="python"),
            "ranking": {"meets": 1 if score.meets_requirements else 0, "total": score.total},
            "audit": [{"at": submitted, "actorId": vendor, "action": "submitted", "changedFields": []}],
        }


def bulk_insert(uri: str, rfp_global_id: str, count: int) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    try:
        db = client.get_database(DB_NAME, codec_options=CODEC_OPTIONS)
        rfp_id = ObjectId(local_id(rfp_global_id, "Rfp"))
        context = RfpContext.model_validate(db.rfps.find_one({"_id": rfp_id})["context"])  # type: ignore[index]
        now = datetime.now(UTC)
        vendor_ids = [ObjectId() for _ in range(count)]
        vendors = [
            {
                "_id": vendor_id,
                "name": f"Vendor {index:05d} Managed Services",
                "kind": "VENDOR",
                "contactEmail": "bids@vendor.example",
                "createdAt": now,
                "apiKeys": [key_entry(new_api_key(), now, "bench")],
            }
            for index, vendor_id in enumerate(vendor_ids)
        ]
        for chunk in batched(vendors, INSERT_CHUNK):
            db.organizations.insert_many(chunk, ordered=False)
        proposals = documents(rfp_id, vendor_ids, scored_templates(context))
        for chunk in batched(proposals, INSERT_CHUNK):
            db.proposals.insert_many(chunk, ordered=False)
        db.rfps.update_one({"_id": rfp_id}, {"$set": {"proposalCount": count}})
    finally:
        client.close()


def batched(items: Any, size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# ------------------------------------------------------------------------------- the measurement


def download(client: httpx.Client, key: str, path: str) -> tuple[float, int, int]:
    """(seconds, bytes, lines) of one streamed download."""
    started = time.perf_counter()
    size = lines = 0
    with client.stream("GET", path, headers={"Authorization": f"Bearer {key}"}, timeout=600) as response:
        assert response.status_code == 200, response.read()
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - started, size, lines


def measure(client: httpx.Client, server: int, key: str, path: str) -> tuple[float, float]:
    """(seconds, peak MB added to the server) for one export."""
    reset_peak(server)
    before = memory_kb(server, "VmRSS")
    seconds, size, lines = download(client, key, path)
    peak_mb = (memory_kb(server, "VmHWM") - before) / 1024
    print(
        f"  {path.rsplit('/', 1)[1]:<14} {seconds:6.2f} s  {size / 1e6:7.1f} MB  {lines:>7} lines  "
        f"peak +{peak_mb:.1f} MB"
    )
    return seconds, peak_mb


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


def record(seconds: float, rows_per_second: float, peak_mb: float, count: int) -> None:
    # Append only: other benchmarks write to the same file.
    with RESULTS.open("a") as results:
        if HEADER.splitlines()[0] not in RESULTS.read_text():
            results.write("\n" + HEADER)
        cells = [
            date.today().isoformat(),
            machine(),
            f"{seconds:.2f} s ({count} rows, embedded SecantusDB)",
            f"{rows_per_second:,.0f}",
            f"{peak_mb:.1f}",
        ]
        results.write(f"| {' | '.join(cells)} |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()

    database = EmbeddedDatabase(None)
    database.start()
    port = free_port()
    server = start_server(database.uri, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            key = graphql(
                client,
                REGISTER,
                {"input": {"name": "Bench Buyer", "kind": "BUYER", "contactEmail": "bench@buyer.example"}},
            )["registerOrganization"]["apiKey"]
            small, big = open_rfp(client, key, "Warm-up desk"), open_rfp(client, key, "Support desk at scale")
            started = time.perf_counter()
            bulk_insert(database.uri, small, 50)
            bulk_insert(database.uri, big, args.n)
            print(f"inserted {args.n} proposals in {time.perf_counter() - started:.1f} s")
            for name in ("ranking.csv", "ranking.json", "ranking.xlsx"):
                download(client, key, f"/exports/rfps/{small}/{name}")  # imports and caches, once
            seconds, peak_mb = measure(client, server.pid, key, f"/exports/rfps/{big}/ranking.csv")
            for name in ("ranking.json", "ranking.xlsx", "shortlist.csv"):
                measure(client, server.pid, key, f"/exports/rfps/{big}/{name}")
    finally:
        server.terminate()
        server.wait(30)
        database.stop()
    rows_per_second = args.n / seconds
    print(f"export csv {args.n}: {seconds:.2f} s, {rows_per_second:,.0f} rows/s, peak +{peak_mb:.1f} MB")
    if not args.no_record:
        record(seconds, rows_per_second, peak_mb, args.n)


if __name__ == "__main__":
    main()
