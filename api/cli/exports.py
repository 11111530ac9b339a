"""`rfpmarket export --rfp ID --format csv|xlsx|json|ocds [--shortlist] --out FILE`.

The CLI acts as the RFP's buyer and goes through the same access rule and the same `Export` as HTTP,
so it refuses sealed proposals too and writes the same bytes. The file appears complete or not at all
(written beside it, then renamed); a progress bar shows on a terminal for long exports.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.cli.database import database_uri
from api.exports.access import exportable_rfp, parse_rfp_id
from api.exports.export import Export, ExportFormat, ExportSpec, open_export
from api.exports.ocds import package_uri
from api.exports.rows import ExportKind
from api.services.market import MarketService
from api.settings import Settings
from api.store.database import Store, connect

PROGRESS_FROM_ROWS = 1000


def add_export_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    with_data_dir: Callable[[argparse.ArgumentParser], None],
) -> None:
    command = commands.add_parser("export", help="write an RFP's ranking as CSV, Excel, JSON or OCDS")
    command.add_argument("--rfp", required=True, help="the RFP's id (GraphQL global id or ObjectId hex)")
    command.add_argument(
        "--format", required=True, choices=[fmt.value for fmt in ExportFormat], help="file format"
    )
    command.add_argument("--shortlist", action="store_true", help="only SHORTLISTED and AWARDED proposals")
    command.add_argument("--out", required=True, type=Path, help="the file to write")
    with_data_dir(command)
    command.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    fmt = ExportFormat(args.format)
    if fmt is ExportFormat.OCDS and args.shortlist:
        print("--shortlist does not apply to ocds: the OCDS package holds every bid", file=sys.stderr)
        return 2
    spec = ExportSpec(ExportKind.SHORTLIST if args.shortlist else ExportKind.RANKING, fmt)
    with database_uri(settings, args.data_dir) as uri:
        return asyncio.run(export_to_file(settings, uri, args.rfp, spec, args.out))


async def export_to_file(settings: Settings, uri: str, rfp_id: str, spec: ExportSpec, out: Path) -> int:
    client = connect(uri)
    try:
        market = MarketService(Store(client, settings.db))
        export = await _open(market, rfp_id, spec, settings.public_url)
        if export is None:
            return 1
        await _write(export, out)
        print(f"wrote {len(export)} proposals to {out}", file=sys.stderr)
        return 0
    finally:
        await client.close()


async def _open(
    market: MarketService, rfp_id: str, spec: ExportSpec, public_url: str | None
) -> Export | None:
    local = parse_rfp_id(rfp_id)
    (found,) = await market.ground.load_rfps([local]) if local else (None,)
    if found is None:
        print(f"no RFP with id {rfp_id}", file=sys.stderr)
        return None
    (buyer,) = await market.organizations.load_organizations([found.buyer_id])
    rfp = await exportable_rfp(market, buyer, found.id)
    if rfp is None:
        deadline = found.submission_deadline.isoformat()
        print(f"the RFP's proposals are sealed until its deadline, {deadline}", file=sys.stderr)
        return None
    return await open_export(market, rfp, spec, None, package_uri(rfp.id, public_url))


async def _write(export: Export, out: Path) -> None:
    partial = out.with_name(out.name + ".part")
    console = Console(stderr=True)
    columns = (TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    quiet = len(export) < PROGRESS_FROM_ROWS or not console.is_terminal
    try:
        with (
            Progress(*columns, console=console, transient=True, disable=quiet) as progress,
            partial.open("wb") as file,
        ):
            task = progress.add_task("export", total=len(export))
            async for chunk in export.chunks(lambda count: progress.advance(task, count)):
                file.write(chunk)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
