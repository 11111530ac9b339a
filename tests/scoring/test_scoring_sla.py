"""SLA quality: unit conversions, requirement matching and the findings that explain deductions."""

from __future__ import annotations

import pytest

from scoring import (
    Cadence,
    Comparator,
    FindingCode,
    Kpi,
    KpiMetric,
    KpiRequirement,
    KpiUnit,
    Remedy,
    RemedyType,
    Severity,
    Sla,
    score,
)
from scoring.sla import assess_sla, satisfies
from tests.scoring.strategies import CREDIT, good_support_desk, poor_support_desk, support_desk_rfp


def kpi(metric: KpiMetric, comparator: Comparator, target: float, unit: KpiUnit, **extra: object) -> Kpi:
    return Kpi(metric=metric, comparator=comparator, target=target, unit=unit, **extra)  # type: ignore[arg-type]


def requirement(metric: KpiMetric, comparator: Comparator, target: float, unit: KpiUnit) -> KpiRequirement:
    return KpiRequirement(metric=metric, comparator=comparator, target=target, unit=unit)


FRT, CSAT = KpiMetric.FIRST_RESPONSE_TIME, KpiMetric.CSAT
AT_MOST, AT_LEAST = Comparator.AT_MOST, Comparator.AT_LEAST


@pytest.mark.parametrize(
    ("offered", "required", "met"),
    [
        (kpi(FRT, AT_MOST, 120, KpiUnit.MINUTES), requirement(FRT, AT_MOST, 2, KpiUnit.HOURS), True),
        (kpi(FRT, AT_MOST, 121, KpiUnit.MINUTES), requirement(FRT, AT_MOST, 2, KpiUnit.HOURS), False),
        (kpi(FRT, AT_MOST, 1.5, KpiUnit.HOURS), requirement(FRT, AT_MOST, 120, KpiUnit.MINUTES), True),
        (kpi(FRT, AT_MOST, 1, KpiUnit.DAYS), requirement(FRT, AT_MOST, 24, KpiUnit.HOURS), True),
        (kpi(FRT, AT_MOST, 1, KpiUnit.DAYS), requirement(FRT, AT_MOST, 23, KpiUnit.HOURS), False),
        (kpi(CSAT, AT_LEAST, 86, KpiUnit.PERCENT), requirement(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5), True),
        (
            kpi(CSAT, AT_LEAST, 85.9, KpiUnit.PERCENT),
            requirement(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5),
            False,
        ),
        (kpi(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5), requirement(CSAT, AT_LEAST, 86, KpiUnit.PERCENT), True),
        (kpi(CSAT, AT_LEAST, 8.6, KpiUnit.SCORE_10), requirement(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5), True),
        (kpi(CSAT, AT_LEAST, 4.4, KpiUnit.SCORE_5), requirement(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5), True),
        (kpi(CSAT, AT_LEAST, 4.2, KpiUnit.SCORE_5), requirement(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5), False),
        # incomparable units, another comparator, another metric: not met
        (
            kpi(KpiMetric.NPS, AT_LEAST, 50, KpiUnit.NPS_POINTS),
            requirement(KpiMetric.NPS, AT_LEAST, 50, KpiUnit.PERCENT),
            False,
        ),
        (kpi(CSAT, AT_LEAST, 90, KpiUnit.COUNT), requirement(CSAT, AT_LEAST, 86, KpiUnit.PERCENT), False),
        (kpi(FRT, AT_LEAST, 10, KpiUnit.MINUTES), requirement(FRT, AT_MOST, 2, KpiUnit.HOURS), False),
        (
            kpi(KpiMetric.RESOLUTION_TIME, AT_MOST, 1, KpiUnit.HOURS),
            requirement(FRT, AT_MOST, 2, KpiUnit.HOURS),
            False,
        ),
        (
            kpi(KpiMetric.TICKETS_CLOSED, AT_LEAST, 10, KpiUnit.COUNT),
            requirement(KpiMetric.TICKETS_CLOSED, AT_LEAST, 9, KpiUnit.COUNT),
            True,
        ),
    ],
)
def test_requirements_compare_across_units(offered: Kpi, required: KpiRequirement, met: bool) -> None:
    assert satisfies(offered, required) is met


def test_an_unmet_requirement_sets_meets_requirements_false_and_points_at_the_kpi() -> None:
    terms = good_support_desk()
    kpis = (terms.sla.kpis[0], terms.sla.kpis[1].model_copy(update={"target": 180.0}))
    weaker = terms.model_copy(update={"sla": terms.sla.model_copy(update={"kpis": kpis})})
    result = score(weaker, support_desk_rfp())
    assert not result.meets_requirements
    [unmet] = [f for f in result.findings if f.code is FindingCode.REQUIREMENT_NOT_MET]
    assert unmet.severity is Severity.CRITICAL
    assert unmet.path == ("sla", "kpis", "1", "target")
    assert "at most 2 HOURS" in unmet.message and "at most 180 MINUTES" in unmet.message


def _sla(*kpis: Kpi, cadence: Cadence = Cadence.MONTHLY) -> Sla:
    return Sla(kpis=kpis, reporting_cadence=cadence)


def test_an_activity_metric_alone_is_gameable_and_has_no_outcome() -> None:
    closed = kpi(KpiMetric.TICKETS_CLOSED, AT_LEAST, 100, KpiUnit.COUNT, remedies=(CREDIT,))
    found = {f.code for f in assess_sla(_sla(closed), ()).findings}
    assert {FindingCode.GAMEABLE_METRIC, FindingCode.NO_OUTCOME_METRIC} <= found
    beside_csat = _sla(closed, kpi(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5, remedies=(CREDIT,)))
    found = {f.code for f in assess_sla(beside_csat, ()).findings}
    assert not {FindingCode.GAMEABLE_METRIC, FindingCode.NO_OUTCOME_METRIC} & found


def test_outcome_beats_responsiveness_beats_activity_and_custom_is_activity() -> None:
    def alone(metric: KpiMetric, comparator: Comparator, target: float, unit: KpiUnit) -> float:
        full = kpi(
            metric,
            comparator,
            target,
            unit,
            measurement_method="Zendesk report",
            measurement_window=Cadence.MONTHLY,
            remedies=(Remedy(type=RemedyType.SERVICE_CREDIT, credit_percent=10),),
        )
        return float(assess_sla(_sla(full), ()).score)

    csat = alone(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5)
    first_response = alone(FRT, AT_MOST, 2, KpiUnit.HOURS)
    closed = alone(KpiMetric.TICKETS_CLOSED, AT_LEAST, 100, KpiUnit.COUNT)
    assert csat > first_response > closed
    # "Tickets closed" relabelled CUSTOM earns no more than the honest label
    assert alone(KpiMetric.CUSTOM, AT_LEAST, 100, KpiUnit.COUNT) == closed


def test_missing_measurement_method_is_reported_per_kpi() -> None:
    sla = _sla(
        kpi(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5, measurement_window=Cadence.MONTHLY, remedies=(CREDIT,))
    )
    [missing] = [f for f in assess_sla(sla, ()).findings if f.code is FindingCode.MISSING_MEASUREMENT_METHOD]
    assert missing.path == ("sla", "kpis", "0", "measurementMethod")


def test_no_remedies_caps_the_sla_score_and_is_critical() -> None:
    full = good_support_desk().sla
    bare = full.model_copy(update={"kpis": tuple(k.model_copy(update={"remedies": ()}) for k in full.kpis)})
    result = assess_sla(bare, support_desk_rfp().requirements)
    # reporting 10 + escalation 10: measured KPIs with nothing at stake hold nobody to account
    assert result.score == 20
    [no_remedies] = [f for f in result.findings if f.code is FindingCode.NO_REMEDIES]
    assert no_remedies.severity is Severity.CRITICAL
    assert "capped at 25.00" in result.explanation


def test_a_kpi_without_remedy_and_a_weak_remedy_are_reported() -> None:
    plan = Remedy(type=RemedyType.CORRECTIVE_ACTION_PLAN)
    sla = _sla(
        kpi(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5, remedies=(CREDIT,)),
        kpi(FRT, AT_MOST, 2, KpiUnit.HOURS),
        kpi(KpiMetric.UPTIME, AT_LEAST, 99.9, KpiUnit.PERCENT, remedies=(plan,)),
    )
    findings = [f for f in assess_sla(sla, ()).findings if f.code is FindingCode.KPI_WITHOUT_REMEDY]
    # a corrective-action plan alone is no consequence: the same as no remedy, and said so
    assert [(f.path[2], f.severity) for f in findings] == [("1", Severity.WARNING), ("2", Severity.WARNING)]
    [weak] = [
        f for f in assess_sla(sla, ()).findings if f.code is FindingCode.WEAK_REMEDY and f.path[2] == "2"
    ]
    assert weak.path == ("sla", "kpis", "2", "remedies", "0", "type")


@pytest.mark.parametrize(
    ("cadence", "severity"),
    [(Cadence.NONE, Severity.WARNING), (Cadence.QUARTERLY, Severity.INFO), (Cadence.MONTHLY, None)],
)
def test_reporting_below_monthly_is_reported(cadence: Cadence, severity: Severity | None) -> None:
    sla = _sla(kpi(CSAT, AT_LEAST, 4.3, KpiUnit.SCORE_5, remedies=(CREDIT,)), cadence=cadence)
    found = [f.severity for f in assess_sla(sla, ()).findings if f.code is FindingCode.NO_REPORTING]
    assert found == ([severity] if severity else [])


def test_no_escalation_path_is_reported() -> None:
    result = score(poor_support_desk(), support_desk_rfp())
    assert FindingCode.NO_ESCALATION_PATH in {f.code for f in result.findings}
    assert FindingCode.NO_ESCALATION_PATH not in {
        f.code for f in score(good_support_desk(), support_desk_rfp()).findings
    }
