"""Run the benchmarks and append one block of figures to bench/RESULTS.md.

    python -m bench [--proposals 20000] [--quick] [--profile PATH] [--no-record]

Starts an embedded SecantusDB and `rfpmarket serve` in a temporary folder, seeds N synthetic proposals,
measures (bench/bench_api.py): a ranked page of 100 over HTTP against the raw PyMongo floor, throughput
with 8 concurrent clients, submitProposal latency with 8 concurrent vendors, a CSV export, and
in-process scoring; stops everything; appends the date, the machine, the commit and a table.
`--quick` is a smoke run (2,000 proposals, fewer repetitions). `--profile PATH` also writes a
pyinstrument profile of the ranked page (requires pyinstrument).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_api import Figure, Plan, run

RESULTS = Path(__file__).with_name("RESULTS.md")
ROOT = Path(__file__).resolve().parent.parent


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} (working tree has changes)" if git("status", "--porcelain") else commit


def machine() -> str:
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{os.uname().machine}"
    )


def number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def block(figures: list[Figure], plan: Plan, quick: bool, seconds: float) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## API benchmarks, {now}{' (quick)' if quick else ''}",
        "",
        f"- machine: {machine()}",
        f"- commit: {git_commit()}",
        f"- run: `python -m bench{' --quick' if quick else ''} --proposals {plan.proposals}`, "
        f"embedded SecantusDB, `rfpmarket serve` (uvicorn, 1 process), {seconds:.0f} s in all",
        "",
        "| metric | value | unit | target | note |",
        "|---|---|---|---|---|",
    ]
    for figure in figures:
        value = "n/a" if figure.value is None else number(figure.value)
        lines.append(f"| {figure.metric} | {value} | {figure.unit} | {figure.target} | {figure.note} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=None, help="default 20000; 2000 with --quick")
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer proposals and repetitions")
    parser.add_argument("--profile", type=Path, default=None, help="write a pyinstrument profile here")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    plan = Plan.quick(args.proposals or 2_000) if args.quick else Plan(proposals=args.proposals or 20_000)
    started = time.perf_counter()
    figures = run(plan, args.profile)
    text = block(figures, plan, args.quick, time.perf_counter() - started)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as results:  # append only: other benchmarks write here too
            results.write("\n" + text)
    return 1 if any(figure.value is None for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
