"""Exporting a 20,000-proposal ranking as CSV over HTTP: rows per second and the server's peak memory.

    python -m bench.bench_export [--n 20000] [--no-record]

Starts an ephemeral SecantusDB and `rfpmarket serve` against it (a separate process, so its memory is
the server's alone), bulk-inserts N varied proposals scored by `scoring.score` with the project's
synthetic seeder (api/synthetic.py: the stored layout, ranking entries and cost window included), then
downloads `ranking.csv` over HTTP. Memory is the server's VmHWM (peak RSS) from /proc, reset just
before each export (`clear_refs`), minus its RSS at that moment: what the export added. Also prints the
JSON, Excel and what-if figures; appends the CSV row to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import IO

import httpx

from api.cli.synthetic import SyntheticResult, seed_synthetic
from api.embedded import EmbeddedDatabase, free_port
from api.services.market import MarketService
from api.store.database import Store, connect

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "| date | machine | export csv 20k | rows/s | peak MB |\n|---|---|---|---|---|\n"
DB_NAME = "bench_export"


# ----------------------------------------------------------------------------------- the server


def start_server(uri: str, port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONGODB_URI": uri, "RFPMARKET_DB": DB_NAME, "RFPMARKET_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
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


async def seed(uri: str, count: int) -> tuple[SyntheticResult, SyntheticResult]:
    """(a 50-proposal RFP to warm the server up, the `count`-proposal RFP), each with its own buyer."""
    client = connect(uri)
    try:
        market = MarketService(Store(client, DB_NAME))
        return await seed_synthetic(market, 50, seed=2), await seed_synthetic(market, count, seed=1)
    finally:
        await client.close()


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
    existing = RESULTS.read_text() if RESULTS.exists() else ""
    with RESULTS.open("a") as results:
        # A new table unless the file already ends with this one (others append sections too).
        if not existing.rstrip().split("\n\n")[-1].startswith(HEADER.splitlines()[0]):
            results.write("\n" + HEADER)
        cells = [
            date.today().isoformat(),
            machine(),
            f"{seconds:.2f} s ({count} rows, embedded SecantusDB)",
            f"{rows_per_second:,.0f}",
            f"{peak_mb:.1f}",
        ]
        results.write(f"| {' | '.join(cells)} |\n")


def run(count: int, log: IO[bytes]) -> tuple[float, float]:
    """(seconds, peak MB) of the CSV export of `count` proposals; the other formats are printed only."""
    database = EmbeddedDatabase(None)
    database.start()
    port = free_port()
    server = start_server(database.uri, port, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            started = time.perf_counter()
            small, big = asyncio.run(seed(database.uri, count))
            print(f"inserted {count} proposals in {time.perf_counter() - started:.1f} s")
            warm_up = f"/exports/rfps/{small.rfp_ids[0]}"
            for name in ("ranking.csv", "ranking.json", "ranking.xlsx"):
                download(client, small.buyer_api_key, f"{warm_up}/{name}")  # imports and caches, once
            key, path = big.buyer_api_key, f"/exports/rfps/{big.rfp_ids[0]}"
            result = measure(client, server.pid, key, f"{path}/ranking.csv")
            for name in ("ranking.json", "ranking.xlsx", "ranking.csv?slaQuality=1&lockIn=1&cost=2"):
                measure(client, server.pid, key, f"{path}/{name}")
            return result
    finally:
        server.terminate()
        server.wait(30)
        database.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    # The server's log, shown if the run fails: a broken download says little about why.
    with tempfile.TemporaryFile() as log:
        try:
            seconds, peak_mb = run(args.n, log)
        except Exception:
            log.seek(0)
            print(log.read().decode(errors="replace")[-4000:], file=sys.stderr)
            raise
    rows_per_second = args.n / seconds
    print(f"export csv {args.n}: {seconds:.2f} s, {rows_per_second:,.0f} rows/s, peak +{peak_mb:.1f} MB")
    if not args.no_record:
        record(seconds, rows_per_second, peak_mb, args.n)


if __name__ == "__main__":
    main()
