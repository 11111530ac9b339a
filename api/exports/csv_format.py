"""CSV: RFC 4180 (CRLF), UTF-8, the header of `COLUMNS`, text neutralized against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from api.exports.columns import COLUMNS, amount_text, finding_codes, money_amounts, scores
from api.exports.neutralize import safe_text
from api.exports.rows import ExportRow, Progress, RowSource

CHUNK_BYTES = 64 * 1024


def csv_fields(row: ExportRow) -> list[str]:
    score = row.score
    fields = {
        "rank": str(row.rank),
        "proposal_id": safe_text(row.proposal_id),
        "vendor": safe_text(row.vendor),
        "status": row.status.value,
        **{name: repr(value) for name, value in scores(row).items()},
        **{name: amount_text(value) for name, value in money_amounts(row).items()},
        "currency": safe_text(score.normalized_monthly_cost.currency_code),
        "meets_requirements": "true" if score.meets_requirements else "false",
        "eligible": "true" if score.eligible else "false",
        "findings": safe_text(finding_codes(row)),
        "scoring_version": safe_text(score.scoring_version),
        "needs_confirmation": "true" if row.needs_confirmation else "false",
    }
    return [fields[name] for name in COLUMNS]


async def csv_chunks(source: RowSource, progress: Progress) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    async for row in source.rows(progress):
        writer.writerow(csv_fields(row))
        if buffer.tell() >= CHUNK_BYTES:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data
