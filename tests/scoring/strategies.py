"""Hypothesis strategies for valid proposals and RFPs, and the primer's worked examples."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from scoring import (
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
    ProposalTerms,
    Remedy,
    RemedyType,
    RfpContext,
    Sla,
    TimeAndMaterialsPricing,
    VolumeScenario,
    Weights,
)
from scoring.model import MAX_AMOUNT, UNIT_RANGES

CURRENCY = "USD"
T = TypeVar("T")
OUTCOME = (
    KpiMetric.CSAT,
    KpiMetric.NPS,
    KpiMetric.QUALITY_SCORE,
    KpiMetric.FIRST_CONTACT_RESOLUTION,
    KpiMetric.REOPEN_RATE,
    KpiMetric.ACCURACY,
    KpiMetric.UPTIME,
)
ACTIVITY = (KpiMetric.TICKETS_CLOSED, KpiMetric.TICKETS_HANDLED, KpiMetric.HOURS_LOGGED)
CADENCE_ORDER = (
    Cadence.NONE,
    Cadence.QUARTERLY,
    Cadence.MONTHLY,
    Cadence.WEEKLY,
    Cadence.DAILY,
    Cadence.REAL_TIME,
)


def build(model: type[T], **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[T]:
    """Like st.builds, but without inferring arguments from the (camelCase alias) signature."""
    return st.fixed_dictionaries(fields).map(lambda values: model(**values))


def usd(amount: str | int | Decimal) -> Money:
    return Money(amount=Decimal(amount), currency_code=CURRENCY)


# Mostly everyday figures, sometimes the extremes the models allow.
amounts = st.one_of(
    st.decimals(min_value=0, max_value=50_000, places=2),
    st.decimals(min_value=0, max_value=MAX_AMOUNT, places=4),
    st.sampled_from([Decimal(0), Decimal("0.01"), MAX_AMOUNT]),
)
moneys = amounts.map(lambda amount: Money(amount=amount, currency_code=CURRENCY))
volumes = st.one_of(st.integers(0, 20_000).map(float), st.floats(0, 1e9, allow_nan=False))


@st.composite
def targets(draw: st.DrawFn, unit: KpiUnit) -> float:
    low, high = UNIT_RANGES[unit]
    round_values = [
        value for value in (0.0, 1.0, 2.0, 4.3, 8.6, 50.0, 86.0, 95.0, 120.0) if low <= value <= high
    ]
    return draw(st.sampled_from(round_values) | st.floats(low, high, allow_nan=False))


remedies = build(
    Remedy,
    type=st.sampled_from(RemedyType),
    credit_percent=st.none() | st.floats(0.5, 100),
)


@st.composite
def kpis(draw: st.DrawFn, metric: KpiMetric | None = None) -> Kpi:
    unit = draw(st.sampled_from(KpiUnit))
    return Kpi(
        metric=metric or draw(st.sampled_from(KpiMetric)),
        comparator=draw(st.sampled_from(Comparator)),
        unit=unit,
        target=draw(targets(unit)),
        measurement_method=draw(st.none() | st.sampled_from(["", "Zendesk report", "post-ticket survey"])),
        measurement_window=draw(st.none() | st.sampled_from(Cadence)),
        remedies=tuple(draw(st.lists(remedies, max_size=3))),
    )


slas = build(
    Sla,
    kpis=st.lists(kpis(), max_size=5).map(tuple),
    reporting_cadence=st.sampled_from(Cadence),
    escalation_path=st.lists(
        build(
            EscalationStep,
            level=st.integers(1, 5),
            role=st.just("service manager"),
            response_hours=st.just(4.0),
        ),
        max_size=2,
    ).map(tuple),
)

pricings = st.one_of(
    build(FlatMonthlyPricing, monthly_fee=moneys),
    build(
        PerUnitPricing, unit_price=moneys, unit_name=st.just("ticket"), minimum_monthly_fee=st.none() | moneys
    ),
    build(
        OutcomeBasedPricing,
        base_monthly_fee=st.none() | moneys,
        fee_per_outcome=moneys,
        outcome_name=st.just("resolved ticket"),
    ),
    build(
        TimeAndMaterialsPricing,
        hourly_rate=moneys,
        monthly_cap=moneys,
        estimated_hours_per_month=st.none() | st.floats(0, 100_000),
    ),
)

contract_terms = build(
    ContractTerms,
    term_months=st.integers(1, 120),
    termination_notice_days=st.integers(0, 730),
    early_termination_fee_months=st.sampled_from([0.0, 1.0, 3.0, 6.0]) | st.floats(0, 60),
    auto_renews=st.booleans(),
    runbook_ownership=st.sampled_from(Ownership),
    tooling_config_ownership=st.sampled_from(Ownership),
    knowledge_transfer_clause=st.booleans(),
    transition_assistance_months=st.integers(0, 36),
    data_export_on_exit=st.booleans(),
)

proposals = build(
    ProposalTerms,
    summary=st.just("a managed service"),
    sla=slas,
    pricing=pricings,
    one_time_fee=st.none() | moneys,
    annual_escalation_percent=st.sampled_from([0.0, 3.0]) | st.floats(0, 50),
    terms=contract_terms,
)

weights = (
    st.tuples(st.floats(0, 10), st.floats(0, 10), st.floats(0, 10))
    .filter(lambda ws: sum(ws) > 1e-6)
    .map(lambda ws: Weights(sla_quality=ws[0], lock_in=ws[1], cost=ws[2]))
)


@st.composite
def requirements(draw: st.DrawFn, metrics: tuple[KpiMetric, ...] = tuple(KpiMetric)) -> KpiRequirement:
    unit = draw(st.sampled_from(KpiUnit))
    return KpiRequirement(
        metric=draw(st.sampled_from(metrics)),
        comparator=draw(st.sampled_from(Comparator)),
        unit=unit,
        target=draw(targets(unit)),
    )


@st.composite
def rfps(draw: st.DrawFn) -> RfpContext:
    expected = draw(volumes)
    low = draw(st.floats(0, 1)) * expected
    high = expected * draw(st.floats(1, 3)) if expected * 3 <= 1e9 else expected
    return RfpContext(
        currency_code=CURRENCY,
        evaluation_months=draw(st.sampled_from([12, 24, 36]) | st.integers(1, 120)),
        volume=VolumeScenario(unit_name="ticket", expected=expected, low=low, high=high),
        expected_hours_per_month=draw(st.none() | st.floats(0, 10_000)),
        # Always stated: the engine refuses an outcome-based bid without it (tested on its own).
        expected_outcomes_per_month=draw(st.floats(0, 10_000)),
        requirements=tuple(draw(st.lists(requirements(), max_size=3))),
        weights=draw(weights),
        monthly_budget=draw(moneys),
    )


@st.composite
def matched_rfps(draw: st.DrawFn, terms: ProposalTerms) -> RfpContext:
    """An RFP some of whose requirements copy the proposal's own KPIs, so 'met' happens often."""
    rfp = draw(rfps())
    copied = [
        KpiRequirement(metric=kpi.metric, comparator=kpi.comparator, unit=kpi.unit, target=kpi.target)
        for kpi in terms.sla.kpis
        if draw(st.booleans())
    ]
    update: dict[str, object] = {"requirements": rfp.requirements + tuple(copied)}
    if isinstance(terms.pricing, OutcomeBasedPricing) and rfp.expected_outcomes_per_month is None:
        # The engine refuses an outcome-based bid the RFP cannot price (tested on its own).
        update["expected_outcomes_per_month"] = draw(st.floats(0, 10_000))
    return rfp.model_copy(update=update)


# ------------------------------------------------------------------------------ primer examples


def support_desk_rfp() -> RfpContext:
    """The primer's ecommerce brand: first response at most 2 hours, CSAT at least 4.3, $15K budget."""
    return RfpContext(
        currency_code=CURRENCY,
        evaluation_months=12,
        volume=VolumeScenario(unit_name="ticket", expected=3000, low=2000, high=4500),
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
        monthly_budget=usd(15000),
    )


CREDIT = Remedy(type=RemedyType.SERVICE_CREDIT, credit_percent=5)
TERMINATION = Remedy(type=RemedyType.TERMINATION_RIGHT, after_consecutive_breaches=3)
STANDARD_TERMS = ContractTerms(
    term_months=12,
    termination_notice_days=90,
    early_termination_fee_months=0,
    auto_renews=False,
    runbook_ownership=Ownership.CLIENT,
    tooling_config_ownership=Ownership.CLIENT,
    knowledge_transfer_clause=True,
    transition_assistance_months=3,
    data_export_on_exit=True,
)


def good_support_desk() -> ProposalTerms:
    """Flat $14K/month: 12 agents, a team lead, QA and a workforce manager, with a real SLA."""
    return ProposalTerms(
        summary="12 agents, a team lead, QA and a workforce manager",
        sla=Sla(
            kpis=(
                Kpi(
                    metric=KpiMetric.CSAT,
                    comparator=Comparator.AT_LEAST,
                    unit=KpiUnit.SCORE_5,
                    target=4.3,
                    measurement_method="post-resolution survey in Zendesk",
                    measurement_window=Cadence.MONTHLY,
                    remedies=(CREDIT, TERMINATION),
                ),
                Kpi(
                    metric=KpiMetric.FIRST_RESPONSE_TIME,
                    comparator=Comparator.AT_MOST,
                    unit=KpiUnit.MINUTES,
                    target=120,
                    measurement_method="Zendesk first reply time, business hours",
                    measurement_window=Cadence.MONTHLY,
                    remedies=(CREDIT,),
                ),
            ),
            reporting_cadence=Cadence.MONTHLY,
            escalation_path=(
                EscalationStep(level=1, role="team lead", response_hours=4),
                EscalationStep(level=2, role="account director", response_hours=24),
            ),
        ),
        pricing=FlatMonthlyPricing(monthly_fee=usd(14000)),
        terms=STANDARD_TERMS,
    )


def poor_support_desk() -> ProposalTerms:
    """Same price, but a 'tickets closed' SLA with no remedies, 36 months and vendor-owned runbooks."""
    return ProposalTerms(
        summary="tickets closed, guaranteed",
        sla=Sla(
            kpis=(
                Kpi(
                    metric=KpiMetric.TICKETS_CLOSED,
                    comparator=Comparator.AT_LEAST,
                    unit=KpiUnit.COUNT,
                    target=2500,
                    measurement_window=Cadence.MONTHLY,
                ),
            ),
            reporting_cadence=Cadence.QUARTERLY,
        ),
        pricing=FlatMonthlyPricing(monthly_fee=usd(14000)),
        terms=ContractTerms(
            term_months=36,
            termination_notice_days=90,
            early_termination_fee_months=6,
            auto_renews=True,
            runbook_ownership=Ownership.VENDOR,
            tooling_config_ownership=Ownership.VENDOR,
            knowledge_transfer_clause=False,
            transition_assistance_months=0,
            data_export_on_exit=False,
        ),
    )
