"""`rfpmarket`: serve the API, load demo data, rescore stored proposals, export the schema."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from api.cli.database import database_uri
from api.cli.exports import add_export_parser
from api.observability import config_check
from api.settings import Settings

log = logging.getLogger("rfpmarket")


def _print_demo_keys(keys: list[object]) -> None:
    print("demo API keys (send as `Authorization: Bearer <key>`):")
    for key in keys:
        print(f"  {key.kind:<6}  {key.organization:<32}  {key.api_key}")  # type: ignore[attr-defined]


async def _seed_demo(settings: Settings, uri: str) -> None:
    from api.cli.seed import load_demo
    from api.services.market import open_market

    async with open_market(uri, settings.db) as market:
        _print_demo_keys(list(await load_demo(market)))


class Stopped(Exception):
    """SIGTERM or SIGINT: unwind through every `finally`, so the embedded database stops too."""


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's limits for a public service (the Dockerfile passes the same as flags)."""
    return {
        # api/app.py trusts X-Forwarded-For from RFPMARKET_TRUSTED_PROXIES only; uvicorn's own
        # handling would trust any local peer.
        "proxy_headers": False,
        # httptools with a header-read timeout and a header size cap (uvicorn has neither).
        "http": "api.http.http_protocol:HeaderTimeoutProtocol",
        "timeout_keep_alive": settings.keep_alive_seconds,
        "timeout_graceful_shutdown": settings.drain_seconds,
        "limit_concurrency": settings.max_connections,
        "ws_max_size": settings.max_body_bytes,
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        # A request line and headers must fit in 16 KB.
        "h11_max_incomplete_event_size": 16 * 1024,
        "log_level": settings.log_level.lower(),
        # api/observability/logging.py formats uvicorn's lines like the app's; the app's `request`
        # line (request id, operation, caller kind, duration) replaces uvicorn's access line.
        "log_config": None,
        "access_log": False,
    }


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.embedded import EmbeddedDatabaseError, database_answers
    from api.http.app import create_app

    # uvicorn drains (at most drain_seconds), then re-raises the signal it caught; these handlers turn
    # that (or a signal during start-up) into an exception, so the `finally` that stops the embedded
    # database runs after the drain. The database sits in its own process group: a signal to ours
    # (Ctrl-C, systemd) does not reach it.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop)
    timeout = settings.db_start_timeout_seconds
    if args.workers > 1 and not settings.mongodb_uri:
        print("rfpmarket: --workers above 1 needs MONGODB_URI (the embedded one is local)", file=sys.stderr)
        return 2
    from api.observability import metrics

    metrics.prepare_workers(args.workers)  # before the workers start: one multi-process folder
    try:
        with database_uri(settings, args.data_dir) as uri:
            metrics.serve_metrics_port(settings, args.host)
            if not database_answers(uri, timeout):
                print(
                    f"rfpmarket: the database did not answer within {timeout:g}s; exiting",
                    file=sys.stderr,
                )
                return 1
            if args.demo:
                asyncio.run(_seed_demo(settings, uri))
            app = create_app(settings, uri)
            log.info("rfpmarket on http://%s:%s/graphql", args.host, args.port)  # a line of the log format
            options = {"host": args.host, "port": args.port, **uvicorn_options(settings)}
            if args.workers > 1:
                # Each worker process imports the app (api/asgi.py) from the same settings.
                uvicorn.run("api.asgi:app", workers=args.workers, **options)
            else:
                uvicorn.run(app, **options)
    except Stopped:
        pass
    except EmbeddedDatabaseError as error:
        print(f"rfpmarket: {' '.join(str(error).split())[:500]}", file=sys.stderr)
        return 1
    return 0


async def _seed_synthetic(settings: Settings, uri: str, args: argparse.Namespace) -> dict[str, str]:
    from api.cli.synthetic import seed_synthetic
    from api.services.market import open_market
    from schema.common import to_global_id

    async with open_market(uri, settings.db) as market:
        result = await seed_synthetic(market, args.proposals, args.rfps, args.seed)
    return {"rfpId": to_global_id("Rfp", result.rfp_ids[0]), "buyerApiKey": result.buyer_api_key}


def seed(args: argparse.Namespace, settings: Settings) -> int:
    if not args.demo and not args.synthetic:
        print("nothing to do: pass --demo or --synthetic", file=sys.stderr)
        return 2
    with database_uri(settings, args.data_dir) as uri:
        if args.demo:
            asyncio.run(_seed_demo(settings, uri))
        if args.synthetic:
            started = time.monotonic()
            summary = asyncio.run(_seed_synthetic(settings, uri, args))
            print(
                f"inserted {args.proposals} proposals in {time.monotonic() - started:.1f}s", file=sys.stderr
            )
            print(json.dumps(summary))  # the last line: what a benchmark or a script needs next
    return 0


def rescore(args: argparse.Namespace, settings: Settings) -> int:
    from api.services.rescore import rescore_all

    with database_uri(settings, args.data_dir) as uri:
        counts = asyncio.run(rescore_all(settings, uri, everything=args.all))
    print(f"rescored {counts[0]} of {counts[1]} proposals")
    return 0


def export_schema(args: argparse.Namespace, settings: Settings) -> int:
    import schema

    Path(args.out).write_text(schema.schema.as_str() + "\n")
    return 0


def check_config(args: argparse.Namespace, settings: Settings) -> int:
    return config_check.check_config(settings)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="rfpmarket", description=__doc__)
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True)

    def with_data_dir(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--data-dir", type=Path, default=None, help="embedded database folder (default ./.rfpmarket)"
        )

    run = commands.add_parser("serve", help="run the API (embedded database unless MONGODB_URI is set)")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on")
    run.add_argument("--port", type=int, default=8000, help="port to listen on")
    run.add_argument("--demo", action="store_true", help="load the demo data first")
    run.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (above 1: MONGODB_URI)")
    with_data_dir(run)
    run.set_defaults(handler=serve)

    load = commands.add_parser("seed", help="load data")
    load.add_argument("--demo", action="store_true", help="the demo RFPs, vendors and proposals (idempotent)")
    load.add_argument("--synthetic", action="store_true", help="generated proposals for load tests")
    load.add_argument("--proposals", type=int, default=1_000, help="with --synthetic: how many proposals")
    load.add_argument("--rfps", type=int, default=1, help="with --synthetic: over how many RFPs")
    load.add_argument("--seed", type=int, default=1, help="with --synthetic: random seed")
    with_data_dir(load)
    load.set_defaults(handler=seed)

    again = commands.add_parser("rescore", help="recompute stored scores after a scoringVersion change")
    again.add_argument("--all", action="store_true", help="rescore every proposal, not only outdated ones")
    with_data_dir(again)
    again.set_defaults(handler=rescore)

    export = commands.add_parser("export-schema", help="write the served GraphQL schema (SDL)")
    export.add_argument("--out", default="schema.graphql", help="file to write")
    export.set_defaults(handler=export_schema)

    add_export_parser(commands, with_data_dir)
    checked = commands.add_parser("check-config", help="print the effective configuration, secrets hidden")
    checked.set_defaults(handler=check_config)
    for command in [root, *commands.choices.values()]:  # every option's help shows its default
        command.formatter_class = config_check.HelpWithDefaults
    return root


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rfpmarket")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = config_check.settings_or_exit()  # one line per bad variable, never a traceback
    from api.observability import wiring

    wiring.configure(settings)  # structured logs (and traces when an OTLP endpoint is set)
    return int(args.handler(args, settings))


if __name__ == "__main__":
    sys.exit(main())
