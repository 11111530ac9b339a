"""The ranking's columns: one list, read by the CSV, JSON and Excel writers alike."""

from __future__ import annotations

from decimal import Decimal

from api.exports.rows import ExportRow

COLUMNS = (
    "rank",
    "proposal_id",
    "vendor",
    "status",
    "total",
    "sla_quality",
    "lock_in_exposure",
    "cost_score",
    "normalized_monthly_cost",
    "monthly_cost_low",
    "monthly_cost_high",
    "exit_cost",
    "currency",
    "meets_requirements",
    "eligible",
    "findings",
    "scoring_version",
    "needs_confirmation",
)
MONEY_COLUMNS = ("normalized_monthly_cost", "monthly_cost_low", "monthly_cost_high", "exit_cost")
SCORE_COLUMNS = ("total", "sla_quality", "lock_in_exposure", "cost_score")


def amount_text(amount: Decimal) -> str:
    # "f": never an exponent ("1E+3"), so the text is the exact amount as a person writes it.
    return format(amount, "f")


def money_amounts(row: ExportRow) -> dict[str, Decimal]:
    score = row.score
    return {
        "normalized_monthly_cost": score.normalized_monthly_cost.amount,
        "monthly_cost_low": score.monthly_cost_low.amount,
        "monthly_cost_high": score.monthly_cost_high.amount,
        "exit_cost": score.exit_cost.amount,
    }


def scores(row: ExportRow) -> dict[str, float]:
    score = row.score
    return {
        "total": score.total,
        "sla_quality": score.sla_quality,
        "lock_in_exposure": score.lock_in_exposure,
        "cost_score": score.cost_score,
    }


def finding_codes(row: ExportRow) -> str:
    return ";".join(finding.code.value for finding in row.score.findings)
