"""Excel: four sheets written in xlsxwriter's constant_memory mode to a temporary file, then streamed.

constant_memory flushes each row to disk as soon as the next one starts, so the workbook never holds
the ranking; the finished file is read back in chunks. Text goes through `write_string` only, after
`safe_text`, and the workbook turns no string into a formula, number or link by itself.

    Ranking       the CSV's columns as typed cells, frozen header, auto-filter
    Weights       the weights and, in words, how each criterion and the total are computed
    Findings      one row per finding, in rank order
    Requirements  the RFP's KPI requirements
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import xlsxwriter

from api.exports.columns import COLUMNS, MONEY_COLUMNS, SCORE_COLUMNS, finding_codes, money_amounts, scores
from api.exports.neutralize import safe_text
from api.exports.rows import ExportRow, Progress, RowSource
from scoring.model import Weights

CHUNK_BYTES = 64 * 1024
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
WIDTHS = {
    "rank": 6,
    "proposal_id": 46,
    "vendor": 32,
    "status": 13,
    "currency": 9,
    "meets_requirements": 11,
    "eligible": 9,
    "findings": 48,
    "scoring_version": 14,
    "needs_confirmation": 11,
}
SCORE_WIDTH, MONEY_WIDTH = 11, 18
FINDING_COLUMNS = ("proposal_id", "vendor", "code", "severity", "message", "path")
FINDING_WIDTHS = (46, 32, 28, 10, 90, 24)
REQUIREMENT_COLUMNS = ("metric", "comparator", "target", "unit")
# (criterion, how it enters the total, module whose docstring states its formulas)
CRITERIA = (
    ("slaQuality", "SLA quality, 0-100", "scoring.sla"),
    ("lockIn", "100 - lock-in exposure (exposure 0-100, higher is worse)", "scoring.lockin"),
    ("cost", "cost score, 0-100", "scoring.cost"),
)


class _Sheet:
    """A worksheet and its next free row: constant_memory mode only ever moves forward."""

    def __init__(self, workbook: Any, name: str, header: tuple[str, ...], bold: Any) -> None:
        self.sheet = workbook.add_worksheet(name)
        self.row = 0
        self.write(list(header), bold)

    def write(self, values: list[Any], style: Any = None) -> None:
        for column, value in enumerate(values):
            _cell(self.sheet, self.row, column, value, style)
        self.row += 1


def _cell(sheet: Any, row: int, column: int, value: Any, style: Any = None) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, style)
    else:
        sheet.write_string(row, column, safe_text(str(value)), style)


class _Workbook:
    def __init__(self, path: Path, source: RowSource) -> None:
        self.book = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "tmpdir": str(path.parent)})
        self.source = source
        self.bold = self.book.add_format({"bold": True})
        self.points = self.book.add_format({"num_format": "0.00"})
        currency = source.rfp.context.currency_code  # ISO 4217: three letters, safe inside quotes
        self.money = self.book.add_format({"num_format": f'#,##0.00 "{currency}"'})
        self.ranking = _Sheet(self.book, "Ranking", COLUMNS, self.bold)
        self._weights_sheet(source.weights, source.rfp.context.weights)
        self.findings = _Sheet(self.book, "Findings", FINDING_COLUMNS, self.bold)
        self._requirements_sheet()
        self._layout()

    def _layout(self) -> None:
        for column, name in enumerate(COLUMNS):
            width = WIDTHS.get(name, MONEY_WIDTH if name in MONEY_COLUMNS else SCORE_WIDTH)
            self.ranking.sheet.set_column(column, column, width)
        for column, width in enumerate(FINDING_WIDTHS):
            self.findings.sheet.set_column(column, column, width)
        for sheet in (self.ranking.sheet, self.findings.sheet):
            sheet.freeze_panes(1, 0)

    def _weights_sheet(self, weights: Weights, rfp_weights: Weights) -> None:
        sheet = _Sheet(
            self.book,
            "Weights",
            ("criterion", "weight", "normalized weight", "RFP weight", "enters as"),
            self.bold,
        )
        normalized = weights.normalized()
        for (criterion, enters, _), weight, share, stored in zip(
            CRITERIA, _vector(weights), _vector(normalized), _vector(rfp_weights), strict=True
        ):
            sheet.write([criterion, weight, share, stored, enters])
        sheet.sheet.set_column(0, 0, 100)
        sheet.sheet.set_column(1, 4, 16)
        sheet.row += 1
        for title, module in [("total and ranking", "scoring.rank")] + [(c, m) for c, _, m in CRITERIA]:
            sheet.write([f"How {title} is computed"], self.bold)
            for line in (importlib.import_module(module).__doc__ or "").strip().splitlines():
                sheet.write([line.rstrip() or None])
            sheet.row += 1

    def _requirements_sheet(self) -> None:
        sheet = _Sheet(self.book, "Requirements", REQUIREMENT_COLUMNS, self.bold)
        for requirement in self.source.rfp.context.requirements:
            sheet.write(
                [
                    requirement.metric.value,
                    requirement.comparator.value,
                    requirement.target,
                    requirement.unit.value,
                ]
            )
        sheet.sheet.set_column(0, 3, 26)

    def add(self, row: ExportRow) -> None:
        score = row.score
        values: dict[str, Any] = {
            "rank": row.rank,
            "proposal_id": row.proposal_id,
            "vendor": row.vendor,
            "status": row.status.value,
            **scores(row),
            **{name: float(amount) for name, amount in money_amounts(row).items()},
            "currency": score.normalized_monthly_cost.currency_code,
            "meets_requirements": score.meets_requirements,
            "eligible": score.eligible,
            "findings": finding_codes(row),
            "scoring_version": score.scoring_version,
            "needs_confirmation": row.needs_confirmation,
        }
        sheet, line = self.ranking.sheet, self.ranking.row
        for column, name in enumerate(COLUMNS):
            style = self.money if name in MONEY_COLUMNS else self.points if name in SCORE_COLUMNS else None
            _cell(sheet, line, column, values[name], style)
        self.ranking.row += 1
        for found in score.findings:
            self.findings.write(
                [
                    row.proposal_id,
                    row.vendor,
                    found.code.value,
                    found.severity.value,
                    found.message,
                    ".".join(found.path),
                ]
            )

    def close(self) -> None:
        self.ranking.sheet.autofilter(0, 0, max(self.ranking.row - 1, 0), len(COLUMNS) - 1)
        self.findings.sheet.autofilter(0, 0, max(self.findings.row - 1, 0), len(FINDING_COLUMNS) - 1)
        self.book.close()


def _vector(weights: Weights) -> tuple[float, float, float]:
    return weights.sla_quality, weights.lock_in, weights.cost


async def xlsx_chunks(source: RowSource, progress: Progress) -> AsyncIterator[bytes]:
    with tempfile.TemporaryDirectory(prefix="rfpmarket-export-") as folder:
        path = Path(folder) / "export.xlsx"
        workbook = _Workbook(path, source)
        async for row in source.rows(progress):
            workbook.add(row)
        # Zipping the sheets is the one long step: off the event loop, so other requests go on.
        await anyio.to_thread.run_sync(workbook.close)
        async with await anyio.open_file(path, "rb") as file:
            while chunk := await file.read(CHUNK_BYTES):
                yield chunk
