"""JSON: the RFP, the weights, then `proposals` streamed one object per line, each the CSV's fields
with their JSON types, plus the vendor id, the submission time and the score's components.

Amounts are strings (exact decimals: a JSON number is a double to most readers); text is not
neutralized, since no spreadsheet evaluates JSON.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from api.exports.chunks import chunked
from api.exports.columns import amount_text, money_amounts, scores
from api.exports.rows import ExportRow, Progress, RowSource
from market.records import RfpRecord
from schema.common import to_global_id
from scoring.model import Weights


def row_json(row: ExportRow) -> dict[str, Any]:
    score = row.score
    return {
        "rank": row.rank,
        "proposal_id": row.proposal_id,
        "vendor": row.vendor,
        "status": row.status.value,
        **scores(row),
        **{name: amount_text(value) for name, value in money_amounts(row).items()},
        "currency": score.normalized_monthly_cost.currency_code,
        "meets_requirements": score.meets_requirements,
        "eligible": score.eligible,
        "findings": [
            {"code": f.code.value, "severity": f.severity.value, "message": f.message, "path": list(f.path)}
            for f in score.findings
        ],
        "scoring_version": score.scoring_version,
        "needs_confirmation": row.needs_confirmation,
        "vendor_id": row.vendor_id,
        "submitted_at": row.submitted_at.isoformat(),
        "components": [component.model_dump(mode="json") for component in score.components],
    }


def rfp_json(rfp: RfpRecord) -> dict[str, Any]:
    context = rfp.context
    return {
        "id": to_global_id("Rfp", rfp.id),
        "title": rfp.title,
        "status": rfp.status.value,
        "currency": context.currency_code,
        "evaluation_months": context.evaluation_months,
        "submission_deadline": rfp.submission_deadline.isoformat(),
        "monthly_budget": amount_text(context.monthly_budget.amount),
    }


def weights_json(weights: Weights) -> dict[str, float]:
    return {"sla_quality": weights.sla_quality, "lock_in": weights.lock_in, "cost": weights.cost}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_chunks(source: RowSource, progress: Progress) -> AsyncIterator[bytes]:
    return chunked(_json_text(source, progress))


async def _json_text(source: RowSource, progress: Progress) -> AsyncIterator[str]:
    head = {
        "rfp": rfp_json(source.rfp),
        "list": source.plan.kind.value,
        "what_if": source.plan.weights is not None,
        "weights": weights_json(source.weights),
    }
    # The head object without its closing brace, so `proposals` can follow it one row at a time.
    yield _dumps(head)[:-1] + ', "proposals": ['
    separator = "\n"
    async for row in source.rows(progress):
        yield separator + _dumps(row_json(row))
        separator = ",\n"
    yield "\n]}\n"
