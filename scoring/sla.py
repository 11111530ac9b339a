"""SLA quality, 0-100: accountability that cannot be gamed.

The score is a sum of capped, independent parts (never an average over KPIs), so that each
improvement the rules name — a stricter target, an added remedy, an outcome metric instead of an
activity one, a measurement method, a better reporting cadence — can only add points:

    metric mix       25  an outcome KPI 25, else a responsiveness KPI 12, else an activity KPI 4
    measurability    15  x share of KPIs with both a measurement method and a window
    remedies         25  x mean remedy strength per KPI (1 financial/termination, 0.5 weak, 0 none)
    reporting        10  monthly or better 10, quarterly 5, none 0
    escalation       10  any escalation step
    requirements     15  x share of the RFP's requirements met (15 when the RFP states none)

then, with no remedy anywhere, capped at 25: a vague SLA is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.findings import finding
from scoring.model import (
    Cadence,
    Comparator,
    Finding,
    FindingCode,
    Kpi,
    KpiMetric,
    KpiRequirement,
    KpiUnit,
    RemedyType,
    Severity,
    Sla,
    round_points,
    to_decimal,
)

OUTCOME_METRICS = frozenset(
    {
        KpiMetric.CSAT,
        KpiMetric.NPS,
        KpiMetric.QUALITY_SCORE,
        KpiMetric.FIRST_CONTACT_RESOLUTION,
        KpiMetric.REOPEN_RATE,
        KpiMetric.ACCURACY,
        KpiMetric.UPTIME,
    }
)
# CUSTOM sits with responsiveness: better than counting activity, but nobody can tell it is an outcome.
RESPONSIVENESS_METRICS = frozenset(
    {KpiMetric.FIRST_RESPONSE_TIME, KpiMetric.RESOLUTION_TIME, KpiMetric.BACKLOG_AGE, KpiMetric.CUSTOM}
)
ACTIVITY_METRICS = frozenset({KpiMetric.TICKETS_CLOSED, KpiMetric.TICKETS_HANDLED, KpiMetric.HOURS_LOGGED})

MIX_OUTCOME = Decimal(25)
MIX_RESPONSIVENESS = Decimal(12)
MIX_ACTIVITY = Decimal(4)
MEASURABILITY_POINTS = Decimal(15)
REMEDY_POINTS = Decimal(25)
REPORTING_POINTS: dict[Cadence, Decimal] = {
    Cadence.REAL_TIME: Decimal(10),
    Cadence.DAILY: Decimal(10),
    Cadence.WEEKLY: Decimal(10),
    Cadence.MONTHLY: Decimal(10),
    Cadence.QUARTERLY: Decimal(5),
    Cadence.NONE: Decimal(0),
}
ESCALATION_POINTS = Decimal(10)
REQUIREMENT_POINTS = Decimal(15)
NO_REMEDIES_CAP = Decimal(25)

STRONG_REMEDY = Decimal(1)
WEAK_REMEDY = Decimal("0.5")

# Units that can be compared, each mapped onto one scale: minutes for durations, 0-100 for ratings.
# SCORE_5 x 20 and SCORE_10 x 10 map linearly onto PERCENT, so CSAT 4.3 SCORE_5 == 86 PERCENT.
# NPS_POINTS and COUNT only compare with themselves.
UNIT_SCALES: dict[KpiUnit, tuple[str, Decimal]] = {
    KpiUnit.MINUTES: ("duration", Decimal(1)),
    KpiUnit.HOURS: ("duration", Decimal(60)),
    KpiUnit.DAYS: ("duration", Decimal(1440)),
    KpiUnit.PERCENT: ("rating", Decimal(1)),
    KpiUnit.SCORE_5: ("rating", Decimal(20)),
    KpiUnit.SCORE_10: ("rating", Decimal(10)),
    KpiUnit.NPS_POINTS: ("nps", Decimal(1)),
    KpiUnit.COUNT: ("count", Decimal(1)),
}


@dataclass(frozen=True)
class SlaAssessment:
    score: Decimal
    meets_requirements: bool
    findings: tuple[Finding, ...]
    explanation: str


def assess_sla(sla: Sla, requirements: tuple[KpiRequirement, ...]) -> SlaAssessment:
    findings: list[Finding] = []
    mix = _metric_mix(sla.kpis, findings)
    measurability = _measurability(sla.kpis, findings)
    remedies, any_remedy = _remedies(sla.kpis, findings)
    reporting = _reporting(sla.reporting_cadence, findings)
    escalation = _escalation(len(sla.escalation_path), findings)
    met = _requirements_met(sla.kpis, requirements, findings)
    required = REQUIREMENT_POINTS * met / len(requirements) if requirements else REQUIREMENT_POINTS
    raw = round_points(mix + measurability + remedies + reporting + escalation + required)
    score = raw if any_remedy else min(raw, NO_REMEDIES_CAP)
    parts = (
        f"metric mix {_pts(mix)}/25 + measurability {_pts(measurability)}/15 + remedies {_pts(remedies)}/25"
        f" + reporting {sla.reporting_cadence.value} {_pts(reporting)}/10"
        f" + escalation steps {len(sla.escalation_path)} {_pts(escalation)}/10"
        f" + requirements met {met} of {len(requirements)} {_pts(required)}/15 = {_pts(raw)}"
    )
    cap = "" if any_remedy else f"; no remedy anywhere caps it at {_pts(NO_REMEDIES_CAP)}"
    explanation = f"SLA quality {_pts(score)}: {parts}{cap}"
    return SlaAssessment(score, met == len(requirements), tuple(findings), explanation)


def _pts(points: Decimal) -> str:
    return f"{round_points(points):.2f}"


def _kpi_path(index: int, *rest: str) -> tuple[str, ...]:
    return ("sla", "kpis", str(index), *rest)


def _metric_mix(kpis: tuple[Kpi, ...], findings: list[Finding]) -> Decimal:
    metrics = {kpi.metric for kpi in kpis}
    if metrics & OUTCOME_METRICS:
        return MIX_OUTCOME
    what = "has no KPI at all" if not kpis else "measures no outcome (CSAT, quality, resolution...)"
    findings.append(finding(FindingCode.NO_OUTCOME_METRIC, f"the SLA {what}", "sla", "kpis"))
    for index, kpi in enumerate(kpis):
        if kpi.metric in ACTIVITY_METRICS:
            message = f"{kpi.metric.value} counts activity and can be gamed; no outcome metric balances it"
            findings.append(finding(FindingCode.GAMEABLE_METRIC, message, *_kpi_path(index, "metric")))
    if metrics & RESPONSIVENESS_METRICS:
        return MIX_RESPONSIVENESS
    return MIX_ACTIVITY if metrics else Decimal(0)


def _measurability(kpis: tuple[Kpi, ...], findings: list[Finding]) -> Decimal:
    measurable = 0
    for index, kpi in enumerate(kpis):
        # The model strips whitespace, so a blank method arrives as "" and counts as missing.
        has_method = bool(kpi.measurement_method)
        if not has_method:
            message = f"KPI {index + 1} ({kpi.metric.value}) names no measurement method or system of record"
            findings.append(
                finding(
                    FindingCode.MISSING_MEASUREMENT_METHOD, message, *_kpi_path(index, "measurementMethod")
                )
            )
        if kpi.measurement_window is None:
            message = f"KPI {index + 1} ({kpi.metric.value}) states no measurement window"
            findings.append(
                finding(
                    FindingCode.MISSING_MEASUREMENT_METHOD, message, *_kpi_path(index, "measurementWindow")
                )
            )
        measurable += has_method and kpi.measurement_window is not None
    return MEASURABILITY_POINTS * measurable / len(kpis) if kpis else Decimal(0)


def remedy_strength(kpi: Kpi) -> Decimal:
    """1 for money or an exit at stake, 0.5 for a plan or a credit of no stated size, 0 for nothing."""
    strengths = [Decimal(0)]
    for remedy in kpi.remedies:
        strong = remedy.type in (RemedyType.FEE_AT_RISK, RemedyType.TERMINATION_RIGHT) or (
            remedy.type is RemedyType.SERVICE_CREDIT and remedy.credit_percent is not None
        )
        strengths.append(STRONG_REMEDY if strong else WEAK_REMEDY)
    return max(strengths)


def _remedies(kpis: tuple[Kpi, ...], findings: list[Finding]) -> tuple[Decimal, bool]:
    if not any(kpi.remedies for kpi in kpis):
        message = "no KPI carries a remedy (service credit, fee at risk, termination right): the SLA is vague"
        findings.append(finding(FindingCode.NO_REMEDIES, message, "sla", "kpis"))
        return Decimal(0), False
    strengths = [remedy_strength(kpi) for kpi in kpis]
    for index, (kpi, strength) in enumerate(zip(kpis, strengths, strict=True)):
        if strength == 0:
            message = f"KPI {index + 1} ({kpi.metric.value}) has no remedy when missed"
            findings.append(finding(FindingCode.KPI_WITHOUT_REMEDY, message, *_kpi_path(index, "remedies")))
        elif strength < STRONG_REMEDY:
            message = (
                f"KPI {index + 1} ({kpi.metric.value}) has only a weak remedy (corrective action plan or a"
                " credit of no stated percentage): half the remedy points"
            )
            findings.append(
                finding(
                    FindingCode.KPI_WITHOUT_REMEDY,
                    message,
                    *_kpi_path(index, "remedies"),
                    severity=Severity.INFO,
                )
            )
    return REMEDY_POINTS * sum(strengths, Decimal(0)) / len(kpis), True


def _reporting(cadence: Cadence, findings: list[Finding]) -> Decimal:
    if cadence is Cadence.NONE:
        findings.append(finding(FindingCode.NO_REPORTING, "no reporting cadence", "sla", "reportingCadence"))
    elif cadence is Cadence.QUARTERLY:
        message = "reporting only quarterly: monthly or better is the norm (half the reporting points)"
        findings.append(
            finding(FindingCode.NO_REPORTING, message, "sla", "reportingCadence", severity=Severity.INFO)
        )
    return REPORTING_POINTS[cadence]


def _escalation(steps: int, findings: list[Finding]) -> Decimal:
    if steps:
        return ESCALATION_POINTS
    findings.append(
        finding(FindingCode.NO_ESCALATION_PATH, "no escalation path for breaches", "sla", "escalationPath")
    )
    return Decimal(0)


def to_common_scale(target: float, unit: KpiUnit) -> tuple[str, Decimal]:
    scale, factor = UNIT_SCALES[unit]
    return scale, to_decimal(target) * factor


def satisfies(kpi: Kpi, requirement: KpiRequirement) -> bool:
    """Same metric and comparator, comparable units, and a target at least as strict."""
    if kpi.metric is not requirement.metric or kpi.comparator is not requirement.comparator:
        return False
    offered_scale, offered = to_common_scale(kpi.target, kpi.unit)
    required_scale, required = to_common_scale(requirement.target, requirement.unit)
    if offered_scale != required_scale:
        return False
    return offered >= required if requirement.comparator is Comparator.AT_LEAST else offered <= required


def _requirements_met(
    kpis: tuple[Kpi, ...], requirements: tuple[KpiRequirement, ...], findings: list[Finding]
) -> int:
    met = 0
    for number, requirement in enumerate(requirements, start=1):
        if any(satisfies(kpi, requirement) for kpi in kpis):
            met += 1
            continue
        findings.append(_unmet(number, requirement, kpis))
    return met


def _unmet(number: int, requirement: KpiRequirement, kpis: tuple[Kpi, ...]) -> Finding:
    wanted = f"requirement {number}: {requirement.metric.value} {_bound(requirement)}"
    same_metric = [index for index, kpi in enumerate(kpis) if kpi.metric is requirement.metric]
    if not same_metric:
        return finding(FindingCode.REQUIREMENT_NOT_MET, f"{wanted}: no KPI offers it", "sla", "kpis")
    index = same_metric[0]
    kpi = kpis[index]
    message = f"{wanted}: KPI {index + 1} offers {_bound(kpi)}, weaker or not comparable"
    return finding(FindingCode.REQUIREMENT_NOT_MET, message, *_kpi_path(index, "target"))


def _bound(target: Kpi | KpiRequirement) -> str:
    comparator = "at least" if target.comparator is Comparator.AT_LEAST else "at most"
    return f"{comparator} {target.target:g} {target.unit.value}"
