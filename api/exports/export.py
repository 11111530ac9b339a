"""One export: which list, which format, the file name, the content type and the byte stream.

HTTP (`routes.py`) and the CLI (`cli.py`) both build an `Export` here and only differ in where the
bytes go, so the two give the same CSV and JSON byte for byte.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from api.exports.csv_format import csv_chunks
from api.exports.json_format import json_chunks
from api.exports.ocds import OcdsContext, ocds_chunks
from api.exports.rows import ExportKind, Progress, RowSource, ranking_plan
from api.exports.xlsx_format import xlsx_chunks
from api.services.inputs import validate
from api.services.market import MarketService
from market.records import RfpRecord
from schema.common import from_global_id
from scoring.model import Weights

Writer = Callable[[RowSource, Progress], AsyncIterator[bytes]]
# Query parameter -> Weights field, named as in GraphQL's ScoringWeightsInput.
WEIGHT_PARAMETERS = {"slaQuality": "sla_quality", "lockIn": "lock_in", "cost": "cost"}
SLUG_LENGTH = 60


class ExportFormat(str, Enum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    OCDS = "ocds"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
    ExportFormat.OCDS: "application/json",
}
WRITERS: dict[ExportFormat, Writer] = {
    ExportFormat.CSV: csv_chunks,
    ExportFormat.XLSX: xlsx_chunks,
    ExportFormat.JSON: json_chunks,
}


@dataclass(frozen=True)
class ExportSpec:
    kind: ExportKind
    format: ExportFormat

    @classmethod
    def parse(cls, name: str) -> ExportSpec | None:
        """`ranking.csv`, `shortlist.xlsx`, `ocds.json`...; None for anything else."""
        if name == "ocds.json":
            return cls(ExportKind.RANKING, ExportFormat.OCDS)
        stem, _, extension = name.partition(".")
        kinds = {kind.value: kind for kind in ExportKind}
        formats = {fmt.value: fmt for fmt in WRITERS}
        if stem not in kinds or extension not in formats:
            return None
        return cls(kinds[stem], formats[extension])

    def filename(self, rfp: RfpRecord, what_if: bool) -> str:
        if self.format is ExportFormat.OCDS:
            return f"{slug(rfp.title)}-ocds.json"
        return f"{slug(rfp.title)}-{self.kind.value}{'-what-if' if what_if else ''}.{self.format.value}"


class WeightsError(ValueError):
    def __init__(self, parameters: list[str], message: str) -> None:
        super().__init__(message)
        self.parameters = parameters
        self.message = message


def parse_weights(parameters: Mapping[str, str]) -> Weights | None:
    """What-if weights from `slaQuality`, `lockIn` and `cost`: all three or none, like GraphQL's input."""
    given = {name: parameters[name] for name in WEIGHT_PARAMETERS if name in parameters}
    if not given:
        return None
    values: dict[str, float] = {}
    for name in WEIGHT_PARAMETERS:
        if name not in given:
            raise WeightsError([name], f"{name} is required with the other what-if weights")
        try:
            values[name] = float(given[name])
        except ValueError:
            raise WeightsError([name], f"{name} must be a number") from None
        if not math.isfinite(values[name]):
            raise WeightsError([name], f"{name} must be a finite number")
    weights, errors = validate(Weights, values, ())
    if weights is None:
        # A field error names its parameter; "at least one must be positive" concerns all three.
        fields = [error.field[0] for error in errors if error.field] or list(WEIGHT_PARAMETERS)
        raise WeightsError(fields, "; ".join(error.message for error in errors))
    return weights


QUALITATIVE_PARAMETER = "qualitativeWeight"


def parse_qualitative_weights(values: Sequence[str]) -> list[tuple[str, float]] | None:
    """What-if qualitative weights from repeated `qualitativeWeight=<criterion id>:<weight>`
    (criterion ids as QualitativeCriterion.id gives them); None when there is none."""
    if not values:
        return None
    parsed: list[tuple[str, float]] = []
    for value in values:
        global_id, _, weight = value.rpartition(":")
        try:
            number = float(weight)
        except ValueError:
            number = math.nan
        found = from_global_id(global_id, "QualitativeCriterion")
        if not global_id or found is None or not math.isfinite(number):
            message = f"{QUALITATIVE_PARAMETER} must be <criterion id>:<weight from 0 to 1>"
            raise WeightsError([QUALITATIVE_PARAMETER], message)
        parsed.append((found[1], number))
    return parsed


def slug(title: str) -> str:
    """A file-name-safe ASCII rendering of a title: 'Customer support (EU)' -> 'customer-support-eu'."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words)[:SLUG_LENGTH].strip("-") or "rfp"


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    source: RowSource
    writer: Writer

    def __len__(self) -> int:
        return len(self.source)

    def chunks(self, progress: Progress | None = None) -> AsyncIterator[bytes]:
        return self.writer(self.source, progress or _ignore)


def _ignore(count: int) -> None:
    pass


async def open_export(
    market: MarketService, rfp: RfpRecord, spec: ExportSpec, weights: Weights | None, uri: str
) -> Export:
    """Reads the ranking plan now, so a database error is an error response, not a truncated file."""
    plan = await ranking_plan(market.store, rfp, spec.kind, weights)
    source = RowSource(market.store, rfp, plan)
    writer = WRITERS.get(spec.format)
    if writer is None:
        (buyer,) = await market.organizations.load_organizations([rfp.buyer_id])
        assert buyer is not None, "every RFP has a buyer"
        enquiries = tuple(await market.clarifications.published_clarifications(rfp.id))
        context = OcdsContext(uri, market.now(), buyer, enquiries)
        writer = functools.partial(ocds_chunks, context=context)
    return Export(spec.filename(rfp, weights is not None), MEDIA_TYPES[spec.format], source, writer)
