"""Live updates benchmark: how many concurrent subscribers one instance holds, and the delay from a
change to its event at every subscriber (median, p95).

    python -m bench.bench_live [--subscribers 500] [--events 20] [--no-record]

Starts an embedded SecantusDB and one `rfpmarket serve`, opens N WebSocket connections each holding
one `rankingChanged` subscription on one RFP, then submits proposals one at a time from different
vendors. The delay of an event is measured from just before its mutation is sent to its arrival at
each subscriber: the commit lies in between, so this is an upper bound of commit-to-event.
Appends one block to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import websockets
from websockets.typing import Subprotocol

from api.cli.synthetic import synthetic_proposal
from api.embedded import EmbeddedDatabase, free_port
from bench.__main__ import RESULTS, git_commit, machine
from bench.bench_api import (
    HOST,
    graphql_proposal,
    percentile,
    register,
    small_open_rfp,
    start_server,
    stop_server,
    submit,
)

RANKING = "subscription($id: ID!) { rankingChanged(rfpId: $id) { proposalCount } }"
PROTOCOL = [Subprotocol("graphql-transport-ws")]


async def subscriber(
    url: str, key: str, rfp_id: str, ready: asyncio.Event, arrivals: list[list[float]]
) -> None:
    async with websockets.connect(url, subprotocols=PROTOCOL, max_queue=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}}))
        await ws.recv()  # connection_ack
        query = {"query": RANKING, "variables": {"id": rfp_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        ready.set()
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "next":
                count = message["payload"]["data"]["rankingChanged"]["proposalCount"]
                arrivals[count - 1].append(time.perf_counter())
            elif message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))


async def measure(port: int, subscribers: int, events: int) -> tuple[int, list[float]]:
    base, url = f"http://{HOST}:{port}", f"ws://{HOST}:{port}/graphql"
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        buyer = await register(client, "BUYER", "Live bench buyer")
        rfp_id = await small_open_rfp(client, buyer)
        vendors = [await register(client, "VENDOR", f"Live bench vendor {n}") for n in range(events)]
        arrivals: list[list[float]] = [[] for _ in range(events)]
        readies = [asyncio.Event() for _ in range(subscribers)]
        tasks = [asyncio.create_task(subscriber(url, buyer, rfp_id, r, arrivals)) for r in readies]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 300)
        await asyncio.sleep(1.0)  # every subscription registered with the feed
        held = sum(1 for task in tasks if not task.done())
        delays: list[float] = []
        rng = random.Random(7)
        for n, vendor in enumerate(vendors):
            sent = time.perf_counter()
            await submit(client, vendor, rfp_id, graphql_proposal(synthetic_proposal(rng)))
            for _ in range(600):  # until every subscriber has it, at most 60 s
                if len(arrivals[n]) >= held:
                    break
                await asyncio.sleep(0.1)
            delays += [arrived - sent for arrived in arrivals[n]]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return held, delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    os.environ["RFPMARKET_MAX_CONNECTIONS"] = str(args.subscribers + 50)
    os.environ["RFPMARKET_MAX_SUBSCRIPTIONS_PER_INSTANCE"] = str(args.subscribers + 10)
    with tempfile.TemporaryDirectory() as folder:
        database = EmbeddedDatabase(Path(folder) / "db")
        database.start()
        port = free_port()
        with (Path(folder) / "server.log").open("wb") as log:
            server = start_server(database.uri, port, log)
            try:
                held, delays = asyncio.run(measure(port, args.subscribers, args.events))
            finally:
                stop_server(server)
                database.stop()
    expected = held * args.events
    lines = [
        f"## Live updates, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"- machine: {machine()}",
        f"- commit: {git_commit()}",
        "",
        "| measurement | figure |",
        "|---|---|",
        f"| subscribers held by one instance (asked {args.subscribers}) | {held} |",
        f"| events received / expected | {len(delays)} / {expected} |",
        f"| mutation sent -> event at subscriber, median | {statistics.median(delays) * 1000:.0f} ms |",
        f"| mutation sent -> event at subscriber, p95 | {percentile(delays, 0.95) * 1000:.0f} ms |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as results:
            results.write("\n" + text)


if __name__ == "__main__":
    main()
