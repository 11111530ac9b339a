"""How many proposals per second `scoring.score` handles, in-process.

    python -m bench.bench_scoring [--n 20000] [--seed 7] [--no-record]

Generates N varied proposals (all four pricing models, 0-8 KPIs, every contract shape) and one RFP per
hundred proposals, then times only the scoring calls. Appends a row to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from scoring import (
    SCORING_VERSION,
    Cadence,
    Comparator,
    ContractTerms,
    EscalationStep,
    FlatMonthlyPricing,
    Kpi,
    KpiMetric,
    KpiRequirement,
    KpiUnit,
    Money,
    OutcomeBasedPricing,
    Ownership,
    PerUnitPricing,
    Pricing,
    ProposalTerms,
    Remedy,
    RemedyType,
    RfpContext,
    Sla,
    TimeAndMaterialsPricing,
    VolumeScenario,
    score,
)
from scoring.model import UNIT_RANGES

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "| date | machine | scoring | N | proposals/s |\n|---|---|---|---|---|\n"
CURRENCY = "USD"


def usd(rng: random.Random, low: int, high: int) -> Money:
    return Money(amount=Decimal(rng.randint(low * 100, high * 100)) / 100, currency_code=CURRENCY)


def random_kpi(rng: random.Random) -> Kpi:
    unit = rng.choice(list(KpiUnit))
    low, high = UNIT_RANGES[unit]
    remedies = [
        Remedy(type=rng.choice(list(RemedyType)), credit_percent=rng.choice([None, 2.5, 5.0, 10.0]))
        for _ in range(rng.randint(0, 2))
    ]
    return Kpi(
        metric=rng.choice(list(KpiMetric)),
        comparator=rng.choice(list(Comparator)),
        unit=unit,
        target=round(rng.uniform(low, min(high, 1000.0)), 2),
        measurement_method=rng.choice([None, "Zendesk report", "post-ticket survey"]),
        measurement_window=rng.choice([None, Cadence.MONTHLY, Cadence.WEEKLY]),
        remedies=tuple(remedies),
    )


def random_pricing(rng: random.Random) -> Pricing:
    kind = rng.randrange(4)
    if kind == 0:
        return FlatMonthlyPricing(monthly_fee=usd(rng, 2000, 30000))
    if kind == 1:
        return PerUnitPricing(
            unit_price=usd(rng, 1, 12), unit_name="ticket", minimum_monthly_fee=usd(rng, 0, 8000)
        )
    if kind == 2:
        return OutcomeBasedPricing(
            base_monthly_fee=usd(rng, 0, 5000),
            fee_per_outcome=usd(rng, 5, 60),
            outcome_name="resolved ticket",
        )
    return TimeAndMaterialsPricing(
        hourly_rate=usd(rng, 30, 150),
        monthly_cap=usd(rng, 5000, 25000),
        estimated_hours_per_month=rng.choice([None, 160.0]),
    )


def random_proposal(rng: random.Random) -> ProposalTerms:
    escalation = [EscalationStep(level=1, role="team lead", response_hours=4)] * rng.randint(0, 1)
    return ProposalTerms(
        summary="generated proposal",
        sla=Sla(
            kpis=tuple(random_kpi(rng) for _ in range(rng.randint(0, 8))),
            reporting_cadence=rng.choice(list(Cadence)),
            escalation_path=tuple(escalation),
        ),
        pricing=random_pricing(rng),
        one_time_fee=rng.choice([None, usd(rng, 0, 20000)]),
        annual_escalation_percent=rng.choice([0.0, 3.0, 5.0]),
        terms=ContractTerms(
            term_months=rng.choice([1, 12, 24, 36]),
            termination_notice_days=rng.choice([30, 90, 180]),
            early_termination_fee_months=rng.choice([0.0, 3.0, 6.0]),
            auto_renews=rng.random() < 0.5,
            runbook_ownership=rng.choice(list(Ownership)),
            tooling_config_ownership=rng.choice(list(Ownership)),
            knowledge_transfer_clause=rng.random() < 0.5,
            transition_assistance_months=rng.randint(0, 6),
            data_export_on_exit=rng.random() < 0.5,
        ),
    )


def random_rfp(rng: random.Random) -> RfpContext:
    expected = float(rng.randint(500, 10000))
    return RfpContext(
        currency_code=CURRENCY,
        evaluation_months=rng.choice([12, 24, 36]),
        volume=VolumeScenario(unit_name="ticket", expected=expected, low=expected * 0.7, high=expected * 1.5),
        expected_hours_per_month=rng.choice([None, 160.0]),
        expected_outcomes_per_month=float(rng.randint(50, 500)),
        requirements=(
            KpiRequirement(
                metric=KpiMetric.CSAT, comparator=Comparator.AT_LEAST, unit=KpiUnit.SCORE_5, target=4.3
            ),
            KpiRequirement(
                metric=KpiMetric.FIRST_RESPONSE_TIME,
                comparator=Comparator.AT_MOST,
                unit=KpiUnit.HOURS,
                target=2,
            ),
        ),
        monthly_budget=usd(rng, 5000, 30000),
    )


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )


def record(n: int, rate: float) -> None:
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\n" + HEADER)
    with RESULTS.open("a") as results:
        results.write(
            f"| {date.today().isoformat()} | {machine()} | {SCORING_VERSION} | {n} | {rate:,.0f} |\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20000, help="number of proposals to score")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rfps = [random_rfp(rng) for _ in range(max(1, args.n // 100))]
    work = [(random_proposal(rng), rfps[i % len(rfps)]) for i in range(args.n)]
    started = time.perf_counter()
    for terms, rfp in work:
        score(terms, rfp)
    elapsed = time.perf_counter() - started
    rate = args.n / elapsed
    print(
        f"scored {args.n} proposals in {elapsed:.2f} s: {rate:,.0f} proposals/s"
        f" ({machine()}, scoring {SCORING_VERSION})"
    )
    if not args.no_record:
        record(args.n, rate)


if __name__ == "__main__":
    main()
